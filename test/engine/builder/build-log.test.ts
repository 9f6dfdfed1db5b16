import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile, mkdir, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigText } from "../../../schema/index.ts";
import { BuildLog, logsToPrune, pruneBuildLogs, secretValues } from "../../../engine/builder/build-log.ts";
import { deleteLocalBuild, localBuilds, readOrCreateBuilderId } from "../../../engine/builder/local-files.ts";

test("log retention keeps the newest logs of that image only, never fewer than one", () => {
  const files = ["fedora-0000000001.log", "fedora-0000000003.log", "fedora-0000000002.log", "fedora-minimal-0000000001.log", "fedora-0000000004.txt"];
  assert.deepEqual(logsToPrune(files, "fedora", 2), ["fedora-0000000001.log"]);
  assert.deepEqual(logsToPrune(files, "fedora", 0), ["fedora-0000000001.log", "fedora-0000000002.log"]);
  assert.deepEqual(logsToPrune(files, "fedora", 7), []);
});

test("secret env-vars are masked in the build log, even split across output chunks", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "build-log-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const result = loadConfigText("diskimages:\n  - name: img\n    env-vars: {REGISTRY_PASSWORD: s3cr3t-value, TMPDIR: /tmp}\n", "n.yaml");
  assert.ok(result.ok);
  const secrets = secretValues(result.config.diskimages[0]!, result.config, result.secretPaths);
  assert.deepEqual(secrets, ["s3cr3t-value"]);
  const log = await BuildLog.open(dir, "img", "0000000001", secrets);
  log.write("+ echo s3cr");
  log.write("3t-value into /tmp\nplain line\npartial s3cr3t-value");
  await log.close(0);
  assert.equal(await readFile(join(dir, "img-0000000001.log"), "utf8"), "+ echo ******** into /tmp\nplain line\npartial ********\nExit code: 0\n");
  await writeFile(join(dir, "img-0000000000.log"), "");
  await pruneBuildLogs(dir, "img", 1);
  assert.deepEqual(await readdir(dir), ["img-0000000001.log"]);
});

test("a build's files are found and removed by name; the builder id is created once and kept", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "images-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const f of ["a-0000000001.qcow2", "a-0000000001.qcow2.md5", "a-0000000002.vhd", "a-b-0000000001.raw", "notes.txt"]) await writeFile(join(dir, f), "");
  await mkdir(join(dir, "a-0000000001.d"));
  assert.deepEqual([...(await localBuilds(dir))].sort(), ["a-0000000001", "a-0000000002", "a-b-0000000001"]);
  assert.deepEqual((await deleteLocalBuild(dir, "a-0000000001")).sort(), ["a-0000000001.d", "a-0000000001.qcow2", "a-0000000001.qcow2.md5"]);
  assert.deepEqual((await readdir(dir)).sort(), ["a-0000000002.vhd", "a-b-0000000001.raw", "notes.txt"]);
  const id = await readOrCreateBuilderId(dir);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(await readOrCreateBuilderId(dir), id);
});
