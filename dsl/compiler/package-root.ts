/**
 * Where this checkout (or installed package) lives, found from the running module, so the compiler
 * can hand `nodepool/dsl` to a config file anywhere on disk, from the sources (tsx) or from dist/.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === "nodepool") {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the nodepool package root above the running module");
    dir = parent;
  }
}

/** The file operators import as `nodepool/dsl`. */
export function dslEntry(): string {
  return join(packageRoot(), "dsl", "index.ts");
}

/** The evaluator bundled with each config (private to the DSL). */
export function dslEvaluator(): string {
  return join(packageRoot(), "dsl", "_evaluate.ts");
}
