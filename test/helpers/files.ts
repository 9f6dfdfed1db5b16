/** Temporary directories for config files written by DSL tests, removed when the test ends. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";

/** Writes `files` (relative path → contents) into a fresh directory and returns its path. */
export function writeFiles(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nodepool-dsl-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return dir;
}
