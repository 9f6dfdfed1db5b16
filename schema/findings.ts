/**
 * A problem found by a rule, located by key path; turned into a Diagnostic with the file
 * position once, here, whatever found it (schema, references, lint, secure merge).
 */
import type { Diagnostic, PathSegment, Severity } from "./diagnostics.ts";
import { formatPath } from "./diagnostics.ts";
import { stringAt, valueAt } from "./_raw.ts";
import type { Position, SourceMap } from "./yaml-source.ts";

export interface Finding {
  severity: Severity;
  code: string;
  path: PathSegment[];
  message: string;
  suggestion?: string;
  /** What to point at: the key (unknown key), the value (wrong type) or the mapping holding a missing key. */
  at: "key" | "value" | "owner";
}

/** One file being validated: its name, its value as written and where each part was written. */
export interface SourceFile {
  file: string;
  value: unknown;
  source?: SourceMap;
}

export const error = (code: string, path: PathSegment[], message: string, extra?: Partial<Finding>): Finding => ({
  severity: "error",
  code,
  path,
  message,
  at: "value",
  ...extra,
});

export const warning = (code: string, path: PathSegment[], message: string, extra?: Partial<Finding>): Finding => ({
  severity: "warning",
  code,
  path,
  message,
  at: "value",
  ...extra,
});

function position(finding: Finding, source: SourceMap | undefined): Position | undefined {
  if (source === undefined) return undefined;
  let path = finding.at === "owner" ? finding.path.slice(0, -1) : finding.path;
  let found = finding.at === "key" ? source.key(path) : source.value(path);
  // Values the schema fills in or the merge brings have no position of their own: use the nearest parent.
  while (found === undefined && path.length > 0) {
    path = path.slice(0, -1);
    found = source.value(path);
  }
  return found;
}

export function toDiagnostic(finding: Finding, file: SourceFile): Diagnostic {
  const where = position(finding, file.source);
  const namedPath = formatPath(finding.path, (prefix) => stringAt(valueAt(file.value, prefix), "name"));
  const diagnostic: Diagnostic = {
    severity: finding.severity,
    code: finding.code,
    message: finding.message,
    file: where?.file ?? file.file,
    path: formatPath(finding.path),
    namedPath,
  };
  if (where !== undefined) {
    diagnostic.line = where.line;
    diagnostic.column = where.column;
  }
  if (finding.suggestion !== undefined) diagnostic.suggestion = finding.suggestion;
  return diagnostic;
}
