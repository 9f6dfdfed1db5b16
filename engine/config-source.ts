/**
 * Reading the configuration, whatever it is written in: the one function the daemons and the CLI
 * call. A `.yaml` file is parsed and validated; a `.config.ts` (any `.ts`) is compiled by the DSL
 * and validated the same way, with diagnostics pointing at its `.ts` lines.
 */
import { loadConfigFile, type ConfigResult } from "../schema/index.ts";

export interface ReadConfigSourceOptions {
  securePath?: string;
  /** Type-check a `.ts` config with TypeScript first (about a second). Off by default: daemons re-read often. */
  typecheck?: boolean;
}

export function isTypescriptConfig(path: string): boolean {
  return /\.[cm]?ts$/.test(path);
}

export async function readConfigSource(path: string, options: ReadConfigSourceOptions = {}): Promise<ConfigResult> {
  return (await readConfigSourceFiles(path, options)).result;
}

/**
 * The config and the files it was read from (the config itself, the secure file, and for a `.ts`
 * config the local modules it imports), so that a daemon can watch them all.
 */
export async function readConfigSourceFiles(path: string, options: ReadConfigSourceOptions = {}): Promise<{ result: ConfigResult; files: string[] }> {
  const secure = options.securePath === undefined ? {} : { securePath: options.securePath };
  const given = [path, ...(options.securePath === undefined ? [] : [options.securePath])];
  if (!isTypescriptConfig(path)) return { result: await loadConfigFile(path, secure), files: given };
  // Loaded on demand: the compiler brings TypeScript and esbuild, which a `.yaml` user never needs.
  const { readConfigTs } = await import("../dsl/compiler/index.ts");
  const { result, compilation } = await readConfigTs(path, { typecheck: options.typecheck ?? false, ...secure });
  const imported = (compilation?.inputs ?? []).filter((file) => !file.includes("/node_modules/"));
  return { result, files: [...given, ...imported] };
}
