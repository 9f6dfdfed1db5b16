import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { fixturesDir } from "../../schema/_fixtures.ts";

// Runs the built command as an operator would (scripts/test.sh builds dist/ first).
const bin = new URL("../../../bin/nodepool", import.meta.url).pathname;
const run = (...args: string[]) => execa(bin, args, { reject: false });

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "config-validate-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("a valid config: exit 0 and a one-line summary", async () => {
  const good = join(fixturesDir, "config_validate/good.yaml");
  const result = await run("config-validate", "-c", good);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, `${good}: valid: 6 providers, 9 labels, 1 diskimage, 0 warnings`);
  assert.equal(result.stderr, "");
});

test("an invalid config: exit 1, every error with file:line:col and key path, no stack trace", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "nodepool.yaml");
  await writeFile(file, "labels:\n  - name: a\n    min_ready: 1\nproviders:\n  - name: p\n    driver: static\n    cloud: x\n");
  const result = await run("config-validate", "-c", file);
  assert.equal(result.exitCode, 1);
  assert.equal(result.stdout, "");
  assert.deepEqual(result.stderr.split("\n"), [
    `${file}:2:11: warning: labels[0] (a).name: label 'a' is not provided by any pool; requests for it will be declined`,
    `${file}:3:5: error: labels[0] (a).min_ready: unknown key 'min_ready'; allowed here: name, min-ready, max-ready-age (did you mean 'min-ready'?)`,
    `${file}:7:5: error: providers[0] (p).cloud: 'cloud' is a key of the openstack, fake drivers; the static driver accepts only: name, driver, max-concurrency, pools`,
    `${file}: invalid: 2 errors, 1 warning`,
  ]);
});

test("the YAML error fixture points at 57:2", async () => {
  const file = join(fixturesDir, "config_validate/yaml_error.yaml");
  const result = await run("config-validate", "-c", file);
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, new RegExp(`^${file}:57:2: error: a list item cannot appear here`));
});

test("warnings alone do not fail validation", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "nodepool.yaml");
  await writeFile(file, "labels:\n  - name: a\n  - name: a\n");
  const result = await run("config-validate", "-c", file);
  assert.equal(result.exitCode, 0);
  assert.match(result.stdout, /valid: 0 providers, 2 labels, 0 diskimages, 3 warnings$/);
  assert.match(result.stderr, /nodepool.yaml:3:11: warning: labels\[1\] \(a\).name: duplicate label 'a'/);
});

test("-s merges the secure file and reports its errors against it", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "nodepool.yaml");
  const secure = join(dir, "secure.conf");
  await writeFile(file, "diskimages:\n  - name: img\n    formats: [raw]\n");
  await writeFile(secure, "diskimages:\n  - name: imgg\n    env-vars: {PASSWORD: hunter2}\n");
  const bad = await run("config-validate", "-c", file, "-s", secure);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, new RegExp(`^${secure}:2:11: error: diskimages\\[0\\] \\(imgg\\).name: unknown diskimage 'imgg'.*\\(did you mean 'img'\\?\\)`));
  assert.doesNotMatch(bad.stderr, /hunter2/);
  await writeFile(secure, "diskimages:\n  - name: img\n    env-vars: {PASSWORD: hunter2}\n");
  const good = await run("config-validate", "-c", file, "-s", secure);
  assert.equal(good.exitCode, 0, good.stderr);
});

test("a missing file: exit 2 after the retries, with a message and no stack", async (t) => {
  const dir = await tempDir(t);
  const started = Date.now();
  const result = await run("config-validate", "-c", join(dir, "missing.yaml"));
  assert.equal(result.exitCode, 2);
  assert.ok(Date.now() - started >= 1500, "retried three times, 0.5 s apart");
  assert.equal(result.stderr, `nodepool: cannot read configuration file ${join(dir, "missing.yaml")}: no such file`);
});

test("a file that appears while the command retries is read", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "nodepool.yaml");
  const running = run("config-validate", "-c", file);
  await sleep(300);
  await writeFile(file, "labels: []\n");
  const result = await running;
  assert.equal(result.exitCode, 0, result.stderr);
});

test("-c and -s paths are made absolute and ~ is expanded", async () => {
  const result = await execa(bin, ["config-validate", "-c", "config_validate/good.yaml"], { cwd: fixturesDir, reject: false });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^${fixturesDir}config_validate/good.yaml: valid`));
  const home = await execa(bin, ["config-validate", "-c", "~/no-such-nodepool.yaml"], { reject: false, env: { HOME: "/nonexistent-home" } });
  assert.equal(home.exitCode, 2);
  assert.match(home.stderr, /\/nonexistent-home\/no-such-nodepool.yaml/);
});
