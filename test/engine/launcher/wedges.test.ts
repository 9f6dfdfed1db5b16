/**
 * Requests that could wedge a launcher ("impossible to wedge", design.md): a node record
 * deleted by someone else while its request is being filled, malformed request records, and a
 * request for no nodes. Each ends fulfilled or failed, never pending or requested forever.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { asRequestId, type NodeId } from "../../../engine/zk/ids.ts";
import { requestPath } from "../../../engine/zk/paths.ts";
import { encodeRequest, newRequest } from "../../../engine/zk/records/request.ts";
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

test("malformed requests are failed with a reason logged once; a request with a newer Zuul's fields is served", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const zuul = await connectAnother();
  const lines: Array<{ msg: string; request?: string; path?: string; reason?: string }> = [];
  const log = pino({ level: "warn" }, { write: (text: string) => void lines.push(JSON.parse(text) as (typeof lines)[number]) });
  await startLauncher(t, zk, config(), process.pid, { log });
  const [notJson, wrongType] = ["200-0000000001", "200-0000000002"].map(asRequestId);
  await zuul.client.ensurePath("/nodepool/requests");
  await zuul.client.create(requestPath(notJson!), "{\"state\": \"requested\"");
  await zuul.client.create(requestPath(wrongType!), JSON.stringify({ state: "requested", state_time: 1, node_types: [7], requestor: "other-tool", extra_key: "kept" }));
  const newer = { ...JSON.parse(encodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-next" })).toString()), event_id: "e-1", tenant_name: "main" };
  const served = await zuul.client.createWithParents("/nodepool/requests/300-", Buffer.from(JSON.stringify(newer)), "ephemeral-sequential");
  for (const id of [notJson!, wrongType!]) assert.equal((await requestState(zuul, id, ["failed"])).state, "failed");
  const failed = await zuul.getNodeRequest(wrongType!);
  assert.deepEqual([failed?.requestor, failed?.nodeTypes, failed?.extra], ["other-tool", [], { extra_key: "kept" }]);
  assert.deepEqual(failed?.declinedBy, [`test-${process.pid}-PoolWorker.fake-provider-main`]);
  const fulfilled = await requestState(zuul, served.split("/").at(-1)!, ["fulfilled", "failed"]);
  assert.equal(fulfilled.state, "fulfilled");
  assert.deepEqual(fulfilled.extra, { event_id: "e-1", tenant_name: "main" });
  const logged = lines.filter((l) => l.msg === "malformed request failed");
  assert.deepEqual(logged.map((l) => [l.request, l.path]).sort(), [
    [notJson, requestPath(notJson!)],
    [wrongType, requestPath(wrongType!)],
  ]);
  assert.match(logged.find((l) => l.request === wrongType)?.reason ?? "", /node_types/);
});

test("a request for no nodes is fulfilled with an empty node list, and that is logged", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const lines: Array<{ msg: string; request?: string }> = [];
  const log = pino({ level: "info" }, { write: (text: string) => void lines.push(JSON.parse(text) as (typeof lines)[number]) });
  await startLauncher(t, zk, config(), process.pid, { log });
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: [], requestor: "some-tool" }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.deepEqual([done.state, done.nodes], ["fulfilled", []]);
  assert.ok(lines.some((l) => l.request === request.id && l.msg === "request asks for no nodes: fulfilling it with an empty node list"));
  assert.equal(fakeCloud("fake-provider").createCalls, 0);
});
