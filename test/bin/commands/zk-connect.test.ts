import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodepool, nodepoolOn } from "./_cli.ts";

async function configFile(t: { after: (fn: () => Promise<void>) => void }, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nodepool-zk-connect-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "nodepool.yaml");
  await writeFile(file, text);
  return file;
}

test("a ZooKeeper that is down: a clear error and exit 2 within a few seconds", async () => {
  const started = Date.now();
  const result = await nodepoolOn("127.0.0.1:1", ["list"]);
  assert.equal(result.exitCode, 2);
  assert.match(String(result.stderr), /^nodepool: could not connect to ZooKeeper at 127\.0\.0\.1:1 within 5\.0 s; is it running\?/);
  // 5 s of connect timeout plus start-up, which takes seconds on a loaded machine: the point is that it does not hang.
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
});

test("an invalid config is refused with its errors and exit 1, before connecting", async (t) => {
  const file = await configFile(t, "zookeeper-servers:\n  - host: 127.0.0.1\n    port: 1\nlabelz: []\n");
  const result = await nodepool(["request-list", "-c", file]);
  assert.equal(result.exitCode, 1);
  assert.match(String(result.stderr), /is not a valid configuration \(run nodepool config-validate\):\n.*nodepool\.yaml:4:1: error: .*labelz/);
});

test("a config without zookeeper-servers asks for them or --zookeeper", async (t) => {
  const file = await configFile(t, "labels: []\n");
  const result = await nodepool(["label-list", "-c", file]);
  assert.equal(result.exitCode, 1);
  assert.match(String(result.stderr), /names no zookeeper-servers: add them, or pass --zookeeper HOST:PORT/);
});
