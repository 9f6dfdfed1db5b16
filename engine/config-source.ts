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
  const secure = options.securePath === undefined ? {} : { securePath: options.securePath };
  if (!isTypescriptConfig(path)) return loadConfigFile(path, secure);
  // Loaded on demand: the compiler brings TypeScript and esbuild, which a `.yaml` user never needs.
  const { readConfigTs } = await import("../dsl/compiler/index.ts");
  const { result } = await readConfigTs(path, { typecheck: options.typecheck ?? false, ...secure });
  return result;
}
