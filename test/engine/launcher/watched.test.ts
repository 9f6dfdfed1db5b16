import assert from "node:assert/strict";
import { test } from "node:test";
import { WatchedChildren } from "../../../engine/launcher/watched.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";

const DIR = "/watched";
const decode = (_name: string, data: Buffer): string | "empty" => (data.length === 0 ? "empty" : data.toString("utf8"));

async function cacheForTest(t: Parameters<typeof zkForTest>[0]) {
  const { zk, connectAnother } = await zkForTest(t);
  const other = await connectAnother();
  await zk.client.ensurePath(DIR);
  await zk.client.create(`${DIR}/a`, "one");
  const changes: string[] = [];
  const cache = new WatchedChildren<string>(zk.client, DIR, decode, (name, kind) => changes.push(`${kind}:${name}`), quietLogger);
  await cache.start();
  t.after(() => cache.close());
  return { zk, other, cache, changes };
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
  const { zk, cache } = await cacheForTest(t);
  const before = zk.operationCount;
  cache.writing("a");
  await zk.client.set(`${DIR}/a`, "ours");
  cache.wrote("a", "ours");
  await zk.client.set(`${DIR}/a`, "ours again");
  cache.wrote("a", "ours again");
  assert.equal(cache.current("a"), "ours again");
  assert.equal(zk.operationCount - before, 2, "only the two writes");
  cache.released("a");
  await waitFor("watched again", () => zk.operationCount - before === 3 && cache.current("a") === "ours again");

  cache.writing("a");
  await zk.client.set(`${DIR}/a`, "final");
  cache.wrote("a", "final");
  const afterFinal = zk.operationCount;
  cache.released("a", false);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(zk.operationCount, afterFinal, "no read for a record in a final state");
});

test("a child we deleted leaves the cache at once", async (t) => {
  const { zk, cache, changes } = await cacheForTest(t);
  await zk.client.delete(`${DIR}/a`);
  cache.deleted("a");
  assert.equal(cache.get("a"), undefined);
  assert.deepEqual(changes.filter((c) => c === "removed:a"), ["removed:a"]);
});
