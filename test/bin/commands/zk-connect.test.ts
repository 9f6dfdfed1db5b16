import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZkClient } from "../../../engine/zk/client.ts";
import { quietLogger, testZkServers, zkForTest } from "../../helpers/zk.ts";
import { nodepool, nodepoolOn } from "./_cli.ts";

async function configFile(t: { after: (fn: () => Promise<void>) => void }, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nodepool-zk-connect-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, "nodepool.yaml");
  await writeFile(file, text);
  return file;
}

test("a ZooKeeper that is down: a clear error and exit 1 (behaviour.md §5.1) within a few seconds", async () => {
  const started = Date.now();
  const result = await nodepoolOn("127.0.0.1:1", ["list"]);
  assert.equal(result.exitCode, 1);
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

test("read commands on a mistyped chroot print empty listings and create nothing", async (t) => {
  const { hosts } = await zkForTest(t);
  const typo = `${hosts}-typo`;
  const config = await configFile(t, `zookeeper-servers:\n  - host: ${typo.slice(0, typo.indexOf(":"))}\n    port: ${typo.slice(typo.indexOf(":") + 1, typo.indexOf("/"))}\n    chroot: ${typo.slice(typo.indexOf("/"))}\nlabels: []\nproviders: []\n`);
  const runs = [
    ...[["list"], ["request-list"], ["label-list"], ["image-list"], ["dib-image-list"], ["info", "p"], ["delete", "0000000001"], ["hold", "0000000001"]].map((args) => nodepoolOn(typo, args)),
    ...[["plan"], ["alien-image-list"]].map((args) => nodepool([...args, "-c", config])),
  ];
  for (const result of await Promise.all(runs)) assert.equal(result.exitCode, 0, `${result.command}: ${String(result.stderr)}`);
  const root = await ZkClient.connect({ hosts: testZkServers(), connectTimeoutMs: 10_000, logger: quietLogger });
  const chroot = typo.slice(typo.indexOf("/"));
  t.after(async () => {
    // Only if a command did create it, so that a failing run leaves nothing behind.
    if ((await root.exists(chroot)) !== null) await root.deleteRecursive(chroot);
    root.close();
  });
  assert.equal(await root.exists(chroot), null);
});

test("a config with a ZooKeeper key the spec does not define (zookeeper-tls, zookeeper-timeout) is refused before connecting", async (t) => {
  const file = await configFile(t, "zookeeper-servers:\n  - host: 127.0.0.1\n    port: 1\nzookeeper-tls:\n  ca: /etc/zk/ca.pem\nzookeeper-timeout: 30\n");
  const result = await nodepool(["list", "-c", file]);
  assert.equal(result.exitCode, 1);
  assert.match(String(result.stderr), /nodepool\.yaml:4:1: error: .*zookeeper-tls/);
  assert.match(String(result.stderr), /nodepool\.yaml:6:1: error: .*zookeeper-timeout/);
  assert.doesNotMatch(String(result.stderr), /could not connect/);
});
