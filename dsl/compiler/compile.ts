/**
 * From a `nodepool.config.ts` to the configuration value as written: type-check (optional), bundle,
 * evaluate, take the secrets out. Every problem becomes a Diagnostic at the `.ts` position where it
 * was written; `locate` maps the key paths that validation reports to those positions too.
 */
import { rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { formatPath, type Diagnostic, type PathSegment } from "../../schema/index.ts";
import type { Evaluation, EvaluationSite } from "../_evaluate.ts";
import { bundleConfig } from "./bundle.ts";
import { evaluateBundle, evaluationDir } from "./evaluate.ts";
import { createPathLocator } from "./locate.ts";
import { unofferedKeys } from "./not-offered.ts";
import { extractSecrets, missingSecrets, type SecretRef } from "./secrets.ts";
import { userFrame, type SourcePosition } from "./stack.ts";
import { typecheckConfig } from "./typecheck.ts";

export interface CompileOptions {
  /** Type-check with the TypeScript compiler API first (about a second); on by default. */
  typecheck?: boolean;
  /** The parsed secure file: every `secret()` must be supplied there. */
  secure?: { value: unknown; file: string };
}

export interface Compilation {
  /** The config file as given. */
  file: string;
  /** The configuration as written, secrets removed; undefined when it could not be produced. */
  value: unknown;
  /** Problems found while compiling (validation of the value comes after, with `locate`). */
  diagnostics: Diagnostic[];
  secrets: SecretRef[];
  /** Every file the bundle read: the config and its local modules. */
  inputs: string[];
  /** Where a key path of the value was written in the `.ts` sources. */
  locate: (path: readonly PathSegment[]) => SourcePosition | undefined;
}

/** Paths in messages: relative to the working directory when below it, as people type them. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? file : rel;
}

function error(code: string, message: string, at: Partial<SourcePosition> & { file: string }, path: readonly PathSegment[] = []): Diagnostic {
  const diagnostic: Diagnostic = { severity: "error", code, message, file: displayPath(at.file), path: formatPath(path) };
  if (at.line !== undefined) diagnostic.line = at.line;
  if (at.column !== undefined) diagnostic.column = at.column;
  return diagnostic;
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

/** Syntax first (the deepest literal found), then the call site of a helper if it explains more of the path. */
function pathLocator(file: string, value: unknown, sites: EvaluationSite[]): Compilation["locate"] {
  // Parsing the source (and loading TypeScript) only when an error needs a position.
  let fromSyntax: ReturnType<typeof createPathLocator> | undefined;
  const fromSites = sites
    .map((site) => ({ path: site.path, position: userFrame(site.stack) }))
    .filter((site): site is { path: PathSegment[]; position: SourcePosition } => site.position !== undefined);
  return (path) => {
    fromSyntax ??= createPathLocator(file, value);
    const syntax = fromSyntax(path);
    let best: { depth: number; position: SourcePosition } | undefined =
      syntax === undefined ? undefined : { depth: syntax.depth, position: { file: syntax.file, line: syntax.line, column: syntax.column } };
    for (const site of fromSites) {
      if (isPrefix(site.path, path) && site.path.length >= (best?.depth ?? 0)) best = { depth: site.path.length, position: site.position };
    }
    return best === undefined ? undefined : { ...best.position, file: displayPath(best.position.file) };
  };
}

export async function compileConfig(file: string, options: CompileOptions = {}): Promise<Compilation> {
  const entry = resolve(file);
  const failed = (diagnostics: Diagnostic[], inputs: string[] = [entry]): Compilation => ({
    file,
    value: undefined,
    diagnostics,
    secrets: [],
    inputs,
    locate: () => undefined,
  });
  if (options.typecheck ?? true) {
    const problems = typecheckConfig(entry);
    if (problems.length > 0) {
      return failed(problems.map((problem) => error("ts.type", `TS${problem.code}: ${problem.message}`, problem)));
    }
  }
  const dir = await evaluationDir();
  let bundled: Awaited<ReturnType<typeof bundleConfig>>;
  let evaluation: Evaluation | undefined;
  try {
    const outfile = join(dir, "config.mjs");
    bundled = await bundleConfig(entry, outfile);
    if (!("failures" in bundled)) evaluation = await evaluateBundle(bundled.bundle.code, outfile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if ("failures" in bundled) return failed(bundled.failures.map((failure) => error("ts.syntax", failure.message, failure)));
  const inputs = bundled.bundle.inputs;
  if (evaluation === undefined || !evaluation.ok) {
    const at = (evaluation === undefined ? undefined : userFrame(evaluation.stack)) ?? { file: entry };
    return failed([error("dsl.evaluate", `evaluating the config failed: ${evaluation?.message ?? "no result"}`, at)], inputs);
  }
  const locate = pathLocator(entry, evaluation.value, evaluation.sites);
  const at = (path: readonly PathSegment[]): Partial<SourcePosition> & { file: string } => locate(path) ?? { file: entry };
  const diagnostics = evaluation.problems.map((problem) => error("dsl.value", problem.message, at(problem.path), problem.path));
  for (const key of unofferedKeys(evaluation.value)) diagnostics.push(error("dsl.not-canonical", key.message, at(key.path), key.path));
  const extraction = extractSecrets(evaluation.value);
  for (const path of extraction.misplaced) {
    diagnostics.push(
      error("dsl.secret-misplaced", "secret() can only be a diskimage env-vars value: the secure file supplies nothing else", at(path), path),
    );
  }
  if (options.secure !== undefined) {
    for (const ref of missingSecrets(extraction.secrets, options.secure.value)) {
      const path = ["diskimages", ref.index, "env-vars", ref.key];
      diagnostics.push(
        error(
          "secure.missing-secret",
          `${ref.key} is declared secret() but ${options.secure.file} has no diskimages entry '${ref.diskimage}' with env-vars ${ref.key}`,
          at(path),
          path,
        ),
      );
    }
  }
  return { file, value: extraction.value, diagnostics, secrets: extraction.secrets, inputs, locate };
}
