import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { ChildrenCache, type CacheChange } from "../../../engine/zk/cache.ts";
import { nodeCache } from "../../../engine/zk/caches.ts";
import type { ZkClient } from "../../../engine/zk/client.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";

const DIR = "/watched";
const decode = (_name: string, data: Buffer): string | "empty" => (data.length === 0 ? "empty" : data.toString("utf8"));

/** Paths the client reads (`get`), in order: the cache's reads, as ZooKeeper sees them. */
function readsOf(client: ZkClient): string[] {
  const reads: string[] = [];
  const get = client.get.bind(client);
  Object.defineProperty(client, "get", { value: (...args: Parameters<ZkClient["get"]>) => (reads.push(args[0]), get(...args)) });
  return reads;
}

/** Writes a child as the holder of its lock does: marked before the write, taken in after it. */
async function writeHeld(client: ZkClient, cache: ChildrenCache<string>, name: string, value: string): Promise<void> {
  cache.writing(name);
  await client.set(`${DIR}/${name}`, value);
  cache.wrote(name, value);
}

async function cacheForTest(t: Parameters<typeof zkForTest>[0]) {
  const { zk, connectAnother } = await zkForTest(t);
  const other = await connectAnother();
  await zk.client.ensurePath(DIR);
  await zk.client.create(`${DIR}/a`, "one");
  const reads = readsOf(zk.client);
  const cache = new ChildrenCache<string>(zk.client, DIR, { decode, log: quietLogger });
  const changes: string[] = [];
  cache.onChange((c) => changes.push(`${c.kind}:${c.id}`));
  await cache.start();
  t.after(() => cache.close());
  return { zk, other, cache, changes, reads };
}

test("a cached child is current until another client changes it, and again once re-read", async (t) => {
  const { zk, other, cache } = await cacheForTest(t);
  assert.equal(cache.current("a"), "one");
  await other.client.set(`${DIR}/a`, "two");
  // ZooKeeper delivers the change's event before the reply to any later request of ours: from
  // then on the old value is never reported as current.
  await zk.client.exists(`${DIR}/a`);
  assert.notEqual(cache.current("a"), "one");
  await waitFor("re-read", () => cache.current("a") === "two");
  assert.equal(cache.get("a"), "two");
});

test("our own writes under a lock cost no re-read; releasing reads once, or not at all for a final record", async (t) => {
  const { zk, cache, changes } = await cacheForTest(t);
  const before = zk.operationCount;
  await writeHeld(zk.client, cache, "a", "ours");
  await writeHeld(zk.client, cache, "a", "ours again");
  assert.equal(cache.current("a"), "ours again");
  assert.equal(zk.operationCount - before, 2, "only the two writes");
  assert.deepEqual(changes.slice(-2), ["updated:a", "updated:a"]);
  cache.released("a");
  await waitFor("watched again", () => zk.operationCount - before === 3 && cache.current("a") === "ours again");

  await writeHeld(zk.client, cache, "a", "final");
  const afterFinal = zk.operationCount;
  cache.released("a", false);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(zk.operationCount, afterFinal, "no read for a record in a final state");
  assert.equal(cache.current("a"), undefined, "no longer watched, so not known current");
  assert.equal(cache.get("a"), "final");
});

test("a child we create goes into the cache at once and is watched from its release on", async (t) => {
  const { zk, other, cache, changes, reads } = await cacheForTest(t);
  await zk.client.create(`${DIR}/b`, "new");
  cache.wrote("b", "new");
  assert.equal(cache.current("b"), "new");
  assert.ok(changes.includes("added:b"));
  cache.released("b");
  await waitFor("b watched", () => reads.includes(`${DIR}/b`));
  await other.client.set(`${DIR}/b`, "changed by another");
  await waitFor("the other's change", () => cache.current("b") === "changed by another");
});

test("children we hold are not re-read when the directory changes meanwhile", async (t) => {
  const { zk, other, cache, reads } = await cacheForTest(t);
  const readsBefore = reads.length;
  await writeHeld(zk.client, cache, "a", "ours, written as if under our lock");
  // Listings overlapping each other coalesce; none may re-read the child we hold.
  const added = [..."bcdefghijklm"];
  await Promise.all(added.map((name) => other.client.create(`${DIR}/${name}`, name)));
  await waitFor("the new children", () => cache.size === 1 + added.length);
  assert.deepEqual(reads.slice(readsBefore).sort(), added.map((name) => `${DIR}/${name}`));
  assert.equal(cache.current("a"), "ours, written as if under our lock");
});

test("a child we deleted leaves the cache at once", async (t) => {
  const { zk, cache, changes } = await cacheForTest(t);
  await zk.client.delete(`${DIR}/a`);
  cache.deleted("a");
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.has("a"), false);
  assert.deepEqual(changes.filter((c) => c === "removed:a"), ["removed:a"]);
});

test("the live map follows the tree without a copy per read", async (t) => {
  const { other, cache } = await cacheForTest(t);
  const map = cache.map;
  await other.client.create(`${DIR}/b`, "two");
  await waitFor("b", () => map.get("b") === "two");
  assert.equal(map, cache.map);
});

test("a top-level directory is created when missing; a lower one is waited for, never created", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const other = await connectAnother();
  const top = new ChildrenCache<string>(zk.client, "/top", { decode, create: true, log: quietLogger });
  const lower = new ChildrenCache<string>(zk.client, "/top/lower", { decode, log: quietLogger });
  t.after(() => {
    top.close();
    lower.close();
  });
  await top.start();
  assert.notEqual(await zk.client.exists("/top"), null);
  await lower.start();
  assert.equal(await zk.client.exists("/top/lower"), null);
  await other.client.ensurePath("/top/lower");
  await other.client.create("/top/lower/x", "x");
  await waitFor("the lower directory's child", () => lower.current("x") === "x");
});

test("a malformed record is skipped with a warning naming its path", async (t) => {
  const { zk } = await zkForTest(t);
  const lines: string[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
  await zk.client.ensurePath("/nodepool/nodes");
  await zk.client.create("/nodepool/nodes/0000000001", "not json");
  const cache = nodeCache(zk.client, { log });
  t.after(() => cache.close());
  const seen: CacheChange<unknown>[] = [];
  cache.onChange((c) => seen.push(c));
  await cache.start();
  assert.equal(cache.size, 0);
  assert.deepEqual(seen, []);
  const warning = lines.map((line) => JSON.parse(line) as { msg: string; path: string }).find((entry) => entry.path === "/nodepool/nodes/0000000001");
  assert.equal(warning?.msg, "skipping malformed record");
});
