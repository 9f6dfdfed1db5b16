/**
 * `nodepool init`: prepares a directory for a `nodepool.config.ts` — a tsconfig.json that maps
 * `nodepool/dsl` to this package so editors complete and check the config, and a starter config
 * (the minimal example) unless one exists.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { packageRoot } from "./compiler/package-root.ts";
import { configTsconfig } from "./compiler/typecheck.ts";

export interface InitResult {
  written: string[];
  kept: string[];
}

export async function initConfigDir(dir: string, options: { force?: boolean } = {}): Promise<InitResult> {
  const target = resolve(dir);
  await mkdir(target, { recursive: true });
  const result: InitResult = { written: [], kept: [] };
  const tsconfig = join(target, "tsconfig.json");
  if (existsSync(tsconfig) && options.force !== true) result.kept.push(tsconfig);
  else {
    await writeFile(tsconfig, `${JSON.stringify(configTsconfig(), null, 2)}\n`);
    result.written.push(tsconfig);
  }
  const config = join(target, "nodepool.config.ts");
  if (existsSync(config)) result.kept.push(config);
  else {
    await copyFile(join(packageRoot(), "config-examples", "minimal.config.ts"), config);
    result.written.push(config);
  }
  return result;
}
