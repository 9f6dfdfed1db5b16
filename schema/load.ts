/**
 * Loading configuration files: read (retrying while an editor replaces the file, spec/config.md
 * §1.1), parse YAML with positions, then validate. A file that cannot be read is a
 * "could not run" error (exit 2); a file that reads but is invalid is a ConfigResult with errors.
 */
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { NodepoolError } from "../engine/errors.ts";
import { sortDiagnostics } from "./diagnostics.ts";
import type { SourceFile } from "./findings.ts";
import type { ConfigResult } from "./validate.ts";
import { validateSources } from "./validate.ts";
import { parseYaml } from "./yaml-source.ts";

/** The configuration does not validate; the message lists its errors. */
export class InvalidConfigError extends NodepoolError {
  readonly code = "config.invalid";
  override readonly exitCode = 1;
}

/** The configuration file could not be read at all. */
export class ConfigFileError extends NodepoolError {
  readonly code = "config.unreadable";
  override readonly exitCode = 2;
}

const MISSING_FILE_RETRIES = 3;
const MISSING_FILE_RETRY_DELAY_MS = 500;

const readFailures: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a directory",
};

function readFailure(code: unknown, cause: unknown): string {
  return (typeof code === "string" ? readFailures[code] : undefined) ?? String(code ?? cause);
}

/** Read a file, retrying a few times while it is missing (editors replace files by delete-then-create). */
export async function readConfigFile(path: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readFile(path, "utf8");
    } catch (cause) {
      const code = cause instanceof Error && "code" in cause ? cause.code : undefined;
      if (code === "ENOENT" && attempt < MISSING_FILE_RETRIES) {
        await sleep(MISSING_FILE_RETRY_DELAY_MS);
        continue;
      }
      throw new ConfigFileError(`cannot read configuration file ${path}: ${readFailure(code, cause)}`, { cause });
    }
  }
}

export interface LoadTextOptions {
  secureText?: string;
  secureFile?: string;
}

/** Parse and validate configuration YAML; `file` names it in diagnostics. */
export function loadConfigText(text: string, file: string, opts: LoadTextOptions = {}): ConfigResult {
  const main = parseYaml(text, file);
  const secureFile = opts.secureFile ?? "secure.conf";
  const secure = opts.secureText === undefined ? undefined : parseYaml(opts.secureText, secureFile);
  if (!main.ok || (secure !== undefined && !secure.ok)) {
    return { ok: false, diagnostics: [...main.diagnostics, ...(secure?.diagnostics ?? [])] };
  }
  const mainFile: SourceFile = { file, value: main.value, source: main.source };
  const result =
    secure === undefined
      ? validateSources(mainFile)
      : validateSources(mainFile, { file: secureFile, value: secure.value, source: secure.source });
  const parseWarnings = [...main.diagnostics, ...(secure?.diagnostics ?? [])];
  return { ...result, diagnostics: sortDiagnostics([...parseWarnings, ...result.diagnostics]) };
}

export interface LoadFileOptions {
  securePath?: string;
}

/** Read, parse and validate the main file and, when given, the secure file. */
export async function loadConfigFile(path: string, opts: LoadFileOptions = {}): Promise<ConfigResult> {
  const text = await readConfigFile(path);
  if (opts.securePath === undefined) return loadConfigText(text, path);
  const secureText = await readConfigFile(opts.securePath);
  return loadConfigText(text, path, { secureText, secureFile: opts.securePath });
}
