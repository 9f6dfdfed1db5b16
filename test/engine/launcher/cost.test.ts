import assert from "node:assert/strict";
import { test } from "node:test";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import type { NodeId } from "../../../engine/zk/ids.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, requestState, startLauncher } from "./fixtures.ts";

/**
 * What one request costs the launcher, used as Zuul uses it (fulfilled, locked, in-use, used,
 * returned, deleted): its latency and the launcher's ZooKeeper operations, reported as test
 * diagnostics and bounded so a regression shows.
 */
test("one request's latency and the launcher's ZooKeeper operations for its whole lifecycle", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const own = await connectAnother();
  // Periodic duties off, so only the request path is counted.
  await startLauncher(t, own, config(), process.pid, { cleanupIntervalMs: 600_000, retryIntervalMs: 600_000 });
  const rounds = 10;
  const latencies: number[] = [];
  const before = own.operationCount;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" }), 200);
    const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
    latencies.push(performance.now() - started);
    const { lock, record } = await zk.lockNode(done.nodes[0] as NodeId, { timeoutMs: 30_000 });
    await zk.deleteNodeRequest(request.id!);
    await zk.storeNode({ ...record, state: "in-use" }, lock);
    await zk.storeNode({ ...record, state: "used" }, lock);
    await lock.release();
    await waitFor("node deleted", async () => (await zk.getNode(done.nodes[0] as NodeId)) === null);
  }
  const opsPerRequest = (own.operationCount - before) / rounds;
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(rounds / 2)] ?? 0;
  t.diagnostic(`median latency ${median.toFixed(0)} ms, ${opsPerRequest.toFixed(1)} launcher ZooKeeper operations per request`);
  assert.ok(median < 1000, `median latency ${median} ms`);
  // Transactions take a fresh lock with its first write, and fulfil or remove in one request each.
  assert.ok(opsPerRequest <= 20, `${opsPerRequest} operations per request`);
});
