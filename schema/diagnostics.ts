/**
 * What validation reports: errors and warnings with a stable code (spec/config.md §4.2),
 * the file position and the key path, printed as `file:line:col: error: path: message`.
 */

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  /** Stable code: `yaml.syntax`, `schema.unknown-key`, `ref.undefined-label`, `lint.duplicate-name`, ... */
  code: string;
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** Key path with zero-based indexes: `providers[0].pools[0].labels[2].flavor-name`. */
  path: string;
  /** The same path with item names, for people: `providers[0] (cloud1).pools[0] (main).labels[2] (trusty).flavor-name`. */
  namedPath?: string;
  /** Near-miss spelling of an unknown key or name. */
  suggestion?: string;
}

export type PathSegment = string | number;

/** `["providers", 0, "pools"]` → `providers[0].pools`. */
export function formatPath(path: readonly PathSegment[], nameAt?: (prefix: readonly PathSegment[]) => string | undefined): string {
  let out = "";
  path.forEach((segment, i) => {
    if (typeof segment === "number") {
      out += `[${segment}]`;
      const name = nameAt?.(path.slice(0, i + 1));
      if (name !== undefined) out += ` (${name})`;
    } else {
      out += out === "" ? segment : `.${segment}`;
    }
  });
  return out;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line === undefined ? d.file : `${d.file}:${d.line}:${d.column ?? 1}`;
  const path = d.namedPath ?? d.path;
  const hint = d.suggestion === undefined ? "" : ` (did you mean '${d.suggestion}'?)`;
  return `${where}: ${d.severity}: ${path === "" ? "" : `${path}: `}${d.message}${hint}`;
}

/** Errors first would lose the reading order; people fix files top to bottom, so sort by position. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  // Plain comparison: localeCompare would load a collator for file names that need none.
  const byFile = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...diagnostics].sort(
    (a, b) => byFile(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}
