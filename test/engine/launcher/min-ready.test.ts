/**
 * min-ready at capacity (behaviour.md §2.13): a label whose min-ready request failed gets its
 * next one after the retry delay, not in a loop of failing requests; and as soon as room
 * appears, min-ready is met.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { requestCache } from "../../../engine/zk/caches.ts";
import type { NodeId } from "../../../engine/zk/ids.ts";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { MIN_READY_REQUESTOR, newRequest } from "../../../engine/zk/records/request.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, readyUpload, requestState, startLauncher } from "./fixtures.ts";

/** When each min-ready request appeared (ms), as another client's watched cache sees them. */
async function watchMinReady(t: TestContext, other: NodepoolZk): Promise<number[]> {
  const created: number[] = [];
  const cache = requestCache(other.client, { log: quietLogger });
  cache.onChange((change) => {
    if (change.kind === "added" && change.record.requestor === MIN_READY_REQUESTOR) created.push(Date.now());
  });
  await cache.start();
  t.after(() => cache.close());
  return created;
}

/** Fails unless any `per + 1` consecutive creations span at least `spanMs`. */
function assertAtMost(created: readonly number[], per: number, spanMs: number): void {
  for (let i = 0; i + per < created.length; i++) {
    const span = created[i + per]! - created[i]!;
    assert.ok(span >= spanMs, `min-ready requests ${i}..${i + per} created within ${span} ms`);
  }
}

/** Zuul takes the label's ready node with a request of its own and holds it in use. */
async function takeNode(zk: NodepoolZk) {
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], requestor: "zuul-test" }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.equal(done.state, "fulfilled");
  const held = await zk.lockNode(done.nodes[0] as NodeId);
  await zk.storeNode({ ...held.record, state: "in-use" }, held.lock);
  return { request: done, held };
}

const readyUnallocated = async (zk: NodepoolZk): Promise<number> =>
  (await zk.getNodes()).filter((n) => n.state === "ready" && n.allocatedTo === null && n.type[0] === "fake-label").length;

test("max-servers 0 with min-ready 1: one min-ready request per retry delay, woken by its deadline", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  await readyUpload(zk);
  const created = await watchMinReady(t, await connectAnother());
  // No periodic pass: only the retry deadline can bring the next request.
  await startLauncher(t, zk, config({ maxServers: 0, minReady: 1 }), process.pid, { minReadyRetryMs: 1000, retryIntervalMs: 60_000, cleanupIntervalMs: 60_000 });
  await waitFor("three min-ready requests", () => created.length >= 3);
  assertAtMost(created, 1, 600);
  assert.equal((await zk.getNodes()).length, 0);
});

test("max-servers 1 with its node in use and min-ready 2: no request flood; min-ready met once the node is returned", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  await readyUpload(zk);
  const created = await watchMinReady(t, await connectAnother());
  await startLauncher(t, zk, config({ maxServers: 1, minReady: 2 }), process.pid, { minReadyRetryMs: 1000 });
  await waitFor("the min-ready node", async () => (await readyUnallocated(zk)) === 1);
  const { request, held } = await takeNode(zk);
  const before = created.length;
  await waitFor("two more generations of min-ready requests", () => created.length >= before + 4);
  // Each generation asks for the 2 missing nodes at once, then waits out the delay.
  assertAtMost(created, 2, 600);
  await zk.storeNode({ ...held.record, state: "used" }, held.lock);
  await held.lock.release();
  await zk.deleteNodeRequest(request.id!);
  await waitFor("a min-ready node again", async () => (await readyUnallocated(zk)) === 1);
});

test("min-ready is met as soon as room appears, not only when the retry delay ends", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  await readyUpload(zk);
  const created = await watchMinReady(t, await connectAnother());
  const launcher = await startLauncher(t, zk, config({ maxServers: 1, minReady: 1 }), process.pid, { minReadyRetryMs: 60_000 });
  await waitFor("the min-ready node", async () => (await readyUnallocated(zk)) === 1);
  let failed = 0;
  launcher.events.on("request", (event) => {
    if (event.outcome === "failed" && event.requestor === MIN_READY_REQUESTOR) failed += 1;
  });
  const { request, held } = await takeNode(zk);
  await waitFor("a failed min-ready request", () => failed >= 1);
  const before = created.length;
  await zk.storeNode({ ...held.record, state: "used" }, held.lock);
  await held.lock.release();
  await zk.deleteNodeRequest(request.id!);
  await waitFor("a min-ready node again", async () => (await readyUnallocated(zk)) === 1, 5000);
  assert.equal(created.length, before + 1);
});
