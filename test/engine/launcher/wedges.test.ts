/**
 * Requests that could wedge a launcher ("impossible to wedge", design.md): a node record
 * deleted by someone else while its request is being filled, malformed request records, and a
 * request for no nodes. Each ends fulfilled or failed, never pending or requested forever.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import type { NodeId } from "../../../engine/zk/ids.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, readyUpload, requestState, startLauncher } from "./fixtures.ts";

test("a node deleted while ready, before its two-node request is fulfilled, fails the request instead of leaving it pending", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const other = await connectAnother();
  await startLauncher(t, zk, config());
  const cloud = fakeCloud("fake-provider");
  // A ready, unallocated node the next request reuses.
  const first = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" }), 200);
  const reused = (await requestState(zk, first.id!, ["fulfilled"])).nodes[0] as NodeId;
  await zk.deleteNodeRequest(first.id!);
  await waitFor("the node deallocated", async () => (await zk.getNode(reused))?.allocatedTo === null);
  // The second node's launch waits for ssh: the request is held between the two.
  cloud.holdKeyscans = true;
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label", "cloud-label"], requestor: "zuul-test" }), 200);
  const launched = await waitFor("one node reused, one launching", async () => {
    const nodes = (await zk.getNodes()).filter((n) => n.allocatedTo === request.id);
    return nodes.length === 2 && nodes.find((n) => n.state === "building");
  });
  await other.deleteNodeZnode(reused);
  cloud.releaseKeyscans();
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.equal(done.state, "failed");
  assert.deepEqual(done.declinedBy, ["test-" + process.pid + "-PoolWorker.fake-provider-main"]);
  // The node that did become ready stays allocated to the failed request (Appendix A 22).
  const kept = await waitFor("the launched node ready", async () => {
    const node = await zk.getNode(launched.id!);
    return node?.state === "ready" && node;
  });
  assert.equal(kept.allocatedTo, request.id);
});

test("a min-ready node deleted while its launch runs: the min-ready request fails and min-ready launches another", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const other = await connectAnother();
  await readyUpload(zk);
  const cloud = fakeCloud("fake-provider");
  cloud.holdKeyscans = true;
  await startLauncher(t, zk, config({ minReady: 1 }), process.pid, { minReadyRetryMs: 200 });
  const building = await waitFor("the min-ready node launching", async () => (await zk.getNodes()).find((n) => n.state === "building" && n.externalId !== null));
  await other.deleteNodeZnode(building.id!);
  cloud.releaseKeyscans();
  const replacement = await waitFor("a ready min-ready node", async () => (await zk.getNodes()).find((n) => n.state === "ready" && n.allocatedTo === null && n.type[0] === "fake-label"));
  assert.notEqual(replacement.id, building.id);
  await waitFor("the deleted node's server removed, no request left", async () => cloud.servers.size === 1 && (await zk.getNodeRequests()).length === 0);
});
