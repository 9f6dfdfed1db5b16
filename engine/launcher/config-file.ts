/**
 * The daemon's config: a canonical `.yaml` file or a `.config.ts` (compiled without the type
 * check a CLI run does, since the daemon re-reads it on every change), plus the secure file.
 */
import { readConfigTs } from "../../dsl/compiler/index.ts";
import { loadConfigFile, type ConfigResult } from "../../schema/index.ts";

export const isConfigTs = (path: string): boolean => /\.(c|m)?ts$/.test(path);

export async function loadDaemonConfig(path: string, securePath?: string): Promise<ConfigResult> {
  if (isConfigTs(path)) return (await readConfigTs(path, { typecheck: false, ...(securePath === undefined ? {} : { securePath }) })).result;
  return loadConfigFile(path, securePath === undefined ? {} : { securePath });
}
