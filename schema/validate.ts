/**
 * Validation of a configuration value (spec/config.md §1.3): shape, references, defaults,
 * diskimage inheritance, the secure merge and lint, reporting every problem with its position.
 * The YAML loader and the DSL compiler both end here, so both accept exactly the same configs.
 */
import type { NodepoolConfig } from "./config.ts";
import { nodepoolConfigSchema } from "./config.ts";
import type { Diagnostic, PathSegment } from "./diagnostics.ts";
import { sortDiagnostics } from "./diagnostics.ts";
import { inheritanceFindings, resolveDiskimageInheritance } from "./diskimage-inheritance.ts";
import { fixBoolAsInt } from "./bool-as-int.ts";
import type { Finding, SourceFile } from "./findings.ts";
import { error, toDiagnostic } from "./findings.ts";
import { lintFindings } from "./lint.ts";
import { isRecord, recordsOf, stringAt } from "./_raw.ts";
import type { RawRecord } from "./_raw.ts";
import { referenceFindings } from "./references.ts";
import { secretPathsOf } from "./secrets.ts";
import type { SecureContribution } from "./secure.ts";
import { checkSecure, mergeSecure } from "./secure.ts";
import type { Position, SourceMap } from "./yaml-source.ts";
import { issuesToFindings } from "./zod-issues.ts";

export type ConfigResult =
  | { ok: true; config: NodepoolConfig; diagnostics: Diagnostic[]; secretPaths: string[] }
  | { ok: false; diagnostics: Diagnostic[] };

/** Where a value at a key path was written, for sources other than YAML (the DSL's .ts lines). */
export type Locate = (path: readonly PathSegment[]) => Position | undefined;

export interface SecureSource {
  value: unknown;
  file: string;
  locate?: Locate;
}

export interface ValidateOptions {
  file: string;
  locate?: Locate;
  secure?: SecureSource;
}

function sourceMapOf(locate: Locate | undefined): SourceMap | undefined {
  return locate === undefined ? undefined : { key: locate, value: locate };
}

function topLevelProblem(value: unknown): Finding | undefined {
  if (value === null || value === undefined) return error("yaml.not-mapping", [], "configuration is empty: expected a mapping of top-level keys");
  if (!isRecord(value)) return error("yaml.not-mapping", [], "expected a mapping of top-level keys (labels, providers, diskimages, ...) at the top level");
  return undefined;
}

function shapeFindings(raw: RawRecord): { value: RawRecord; findings: Finding[]; parsed: NodepoolConfig | undefined } {
  const first = nodepoolConfigSchema.safeParse(raw);
  if (first.success) return { value: raw, findings: [], parsed: first.data };
  const fixed = fixBoolAsInt(first.error.issues, raw);
  const value = isRecord(fixed.value) ? fixed.value : raw;
  if (fixed.findings.length === 0) return { value, findings: issuesToFindings(first.error.issues, nodepoolConfigSchema, raw), parsed: undefined };
  const second = nodepoolConfigSchema.safeParse(value);
  return second.success
    ? { value, findings: fixed.findings, parsed: second.data }
    : { value, findings: [...fixed.findings, ...issuesToFindings(second.error.issues, nodepoolConfigSchema, value)], parsed: undefined };
}

/** Validate the main file (and the secure file) as already parsed; diagnostics carry positions when the sources have them. */
export function validateSources(main: SourceFile, secure?: SourceFile): ConfigResult {
  const diagnostics: Diagnostic[] = [];
  const report = (findings: Finding[], file: SourceFile): void => {
    for (const finding of findings) diagnostics.push(toDiagnostic(finding, file));
  };
  const problem = topLevelProblem(main.value);
  if (problem !== undefined || !isRecord(main.value)) {
    report(problem === undefined ? [] : [problem], main);
    return { ok: false, diagnostics };
  }
  const shape = shapeFindings(main.value);
  const raw = shape.value;
  report([...shape.findings, ...referenceFindings(raw), ...inheritanceFindings(raw), ...lintFindings(raw)], main);

  let contribution: SecureContribution | undefined;
  if (secure !== undefined) {
    const imageNames = new Set(recordsOf(raw, "diskimages").flatMap(([image]) => stringAt(image, "name") ?? []));
    const checked = checkSecure(secure.value, imageNames);
    report(checked.findings, secure);
    contribution = checked.contribution;
  }
  if (diagnostics.some((d) => d.severity === "error")) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };

  const merged = contribution === undefined ? raw : mergeSecure(raw, contribution);
  const resolved = resolveDiskimageInheritance(merged);
  let config = resolved === raw ? shape.parsed : undefined;
  if (config === undefined) {
    const effective = nodepoolConfigSchema.safeParse(resolved);
    if (!effective.success) {
      // Only an inherited or merged value can fail here: report it against the diskimage that receives it.
      report(issuesToFindings(effective.error.issues, nodepoolConfigSchema, resolved), main);
      return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
    }
    config = effective.data;
  }
  return { ok: true, config, diagnostics: sortDiagnostics(diagnostics), secretPaths: secretPathsOf(config, merged, contribution) };
}

/**
 * Validate a configuration given as a plain value (the DSL evaluates a .ts file to one);
 * `locate` maps a key path to where it was written so errors can point there.
 */
export function validateConfigValue(value: unknown, opts: ValidateOptions): ConfigResult {
  const mainSource = sourceMapOf(opts.locate);
  const main: SourceFile = mainSource === undefined ? { file: opts.file, value } : { file: opts.file, value, source: mainSource };
  if (opts.secure === undefined) return validateSources(main);
  const secureSource = sourceMapOf(opts.secure.locate);
  const secure: SourceFile =
    secureSource === undefined
      ? { file: opts.secure.file, value: opts.secure.value }
      : { file: opts.secure.file, value: opts.secure.value, source: secureSource };
  return validateSources(main, secure);
}
