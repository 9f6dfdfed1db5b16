/**
 * The DSL compiler's entry points for the CLI and the daemons (not part of what operators import):
 * a `.config.ts` read into a validated ConfigResult, compiled to canonical YAML, and a YAML file
 * converted to a `.config.ts`.
 */
import { dirname, relative, resolve } from "node:path";
import {
  parseYaml,
  readConfigFile,
  sortDiagnostics,
  validateConfigValue,
  type ConfigResult,
  type Diagnostic,
  type SecureSource,
} from "../../schema/index.ts";
import { convertToDsl } from "../convert.ts";
import { emitCanonicalYaml } from "./canonical-yaml.ts";
import { compileConfig, displayPath, type Compilation } from "./compile.ts";

export { compileConfig, displayPath, type Compilation, type CompileOptions } from "./compile.ts";
export { emitCanonicalYaml } from "./canonical-yaml.ts";
export { typecheckConfig, configTsconfig } from "./typecheck.ts";

export interface ReadTsOptions {
  /** Type-check first (the CLI's default); daemons re-reading a config skip it. */
  typecheck?: boolean;
  securePath?: string;
}

/** A `.config.ts` compiled and validated exactly like a YAML file, with positions in the `.ts` sources. */
export async function readConfigTs(file: string, options: ReadTsOptions = {}): Promise<{ result: ConfigResult; compilation?: Compilation }> {
  // Read once for the same "missing file" retry and error as YAML configs; esbuild reads it again.
  await readConfigFile(file);
  let secure: SecureSource | undefined;
  if (options.securePath !== undefined) {
    const parsed = parseYaml(await readConfigFile(options.securePath), options.securePath);
    if (!parsed.ok) return { result: { ok: false, diagnostics: parsed.diagnostics } };
    secure = { value: parsed.value, file: options.securePath, locate: parsed.source.value };
  }
  const compilation = await compileConfig(file, {
    typecheck: options.typecheck ?? true,
    ...(secure === undefined ? {} : { secure }),
  });
  if (compilation.value === undefined) return { result: { ok: false, diagnostics: compilation.diagnostics }, compilation };
  const validated = validateConfigValue(compilation.value, {
    file: displayPath(resolve(file)),
    locate: compilation.locate,
    ...(secure === undefined ? {} : { secure }),
  });
  const diagnostics = sortDiagnostics([...compilation.diagnostics, ...validated.diagnostics]);
  const failed = diagnostics.some((diagnostic) => diagnostic.severity === "error");
  const result: ConfigResult = validated.ok && !failed ? { ...validated, diagnostics } : { ok: false, diagnostics };
  return { result, compilation };
}

export interface CompileToYamlOptions extends ReadTsOptions {
  /** Where the YAML will be written: the header names the source relative to it. */
  outputPath?: string;
}

/** `nodepool compile`: the canonical YAML, or no YAML and the diagnostics that prevent it. */
export async function compileToYaml(file: string, options: CompileToYamlOptions = {}): Promise<{ diagnostics: Diagnostic[]; yaml?: string }> {
  const { result, compilation } = await readConfigTs(file, options);
  if (!result.ok || compilation === undefined) return { diagnostics: result.diagnostics };
  const source = options.outputPath === undefined ? displayPath(resolve(file)) : relative(dirname(resolve(options.outputPath)), resolve(file));
  const notes =
    compilation.secrets.length === 0
      ? []
      : [
          "Secrets the secure file (-s) must supply as diskimage env-vars:",
          ...compilation.secrets.map((ref) => `  ${ref.diskimage}: ${ref.key}`),
        ];
  return { diagnostics: result.diagnostics, yaml: emitCanonicalYaml(compilation.value, { source, notes }) };
}

/** `nodepool convert`: the `.config.ts` source for a YAML config file, as written (no defaults added). */
export async function convertFileToDsl(file: string): Promise<{ diagnostics: Diagnostic[]; source?: string }> {
  const parsed = parseYaml(await readConfigFile(file), file);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  return { diagnostics: parsed.diagnostics, source: convertToDsl(parsed.value, { source: displayPath(resolve(file)) }) };
}
