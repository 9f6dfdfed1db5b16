import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { asNodeId, asRequestId, type NodeId } from "../../../engine/zk/ids.ts";
import { newNode } from "../../../engine/zk/records/node.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { expireSession, quietLogger, splitTestHosts, waitFor, zkForTest, zkProxy } from "../../helpers/zk.ts";
import { config, readyUpload, requestState, startLauncher } from "./fixtures.ts";

const zuul = { requestor: "zuul-test" };

test("quota: a request waits paused at max-servers and is served as nodes are freed", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await startLauncher(t, zk, config({ maxServers: 2 }));
  const r1 = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label", "cloud-label"], ...zuul }), 200);
  const done1 = await requestState(zk, r1.id!, ["fulfilled", "failed"]);
  assert.equal(done1.state, "fulfilled");
  const locks = await Promise.all(done1.nodes.map((id) => zk.lockNode(id as NodeId)));
  const r2 = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label", "cloud-label"], ...zuul }), 200);
  await requestState(zk, r2.id!, ["pending"]);
  assert.equal(fakeCloud("fake-provider").servers.size, 2);
  const [first, second] = locks;
  await zk.storeNode({ ...first!.record, state: "used" }, first!.lock);
  await first!.lock.release();
  await waitFor("a new node for R2", async () => (await zk.getNodes()).some((n) => n.allocatedTo === r2.id));
  await zk.storeNode({ ...second!.record, state: "used" }, second!.lock);
  await second!.lock.release();
  await zk.deleteNodeRequest(r1.id!);
  const done2 = await requestState(zk, r2.id!, ["fulfilled", "failed"]);
  assert.equal(done2.state, "fulfilled");
  assert.equal(done2.nodes.length, 2);
});

test("launch retries exhausted: the request fails after exactly launch-retries attempts", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const cloud = fakeCloud("fake-provider");
  await startLauncher(t, zk, config({ providerKeys: { "launch-retries": 2 } }));
  cloud.failCreates = 2;
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.equal(done.state, "failed");
  assert.ok(done.declinedBy.length > 0);
  assert.equal(cloud.createCalls, 2);
});

test("a launch failure that leaves a server is cleaned up, and the next request works", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const cloud = fakeCloud("fake-provider");
  await startLauncher(t, zk, config({ providerKeys: { "launch-retries": 2 } }));
  cloud.failCreatesLeavingServer = 1;
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.equal(done.state, "fulfilled");
  await waitFor("the failed attempt's server deleted", () => cloud.servers.size === 1);
});

test("a request deleted while its node boots leaves the node ready, unallocated and reusable", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const cloud = fakeCloud("fake-provider");
  cloud.holdBuilds = true;
  await startLauncher(t, zk, config());
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  const building = await waitFor("a building node", async () => (await zk.getNodes()).find((n) => n.state === "building"));
  await zk.deleteNodeRequest(request.id!);
  cloud.releaseBuilds();
  await waitFor("node ready and unallocated", async () => {
    const node = await zk.getNode(building.id!);
    return node?.state === "ready" && node.allocatedTo === null;
  });
  const again = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  const done = await requestState(zk, again.id!, ["fulfilled", "failed"]);
  assert.deepEqual(done.nodes, [building.id]);
  assert.equal(cloud.createCalls, 1);
});

test("a lost request is reset and fulfilled; orphaned allocations and empty znodes are cleaned", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await readyUpload(zk);
  const lost = await zk.submitNodeRequest({ ...newRequest({ nodeTypes: ["fake-label"], ...zuul }), state: "pending" }, 200);
  const node = await zk.storeNode(newNode({ state: "ready", provider: "fake-provider", pool: "main", type: ["fake-label"], allocatedTo: lost.id! }));
  const orphan = await zk.storeNode(newNode({ state: "ready", provider: "fake-provider", pool: "main", type: ["cloud-label"], allocatedTo: asRequestId("MISSING") }));
  await zk.client.create("/nodepool/nodes/0000012345", "");
  await startLauncher(t, zk, config());
  const done = await requestState(zk, lost.id!, ["fulfilled", "failed"]);
  assert.deepEqual(done.nodes, [node.id]);
  await waitFor("orphan deallocated", async () => (await zk.getNode(orphan.id!))?.allocatedTo === null);
  await waitFor("empty znode removed", async () => (await zk.client.exists("/nodepool/nodes/0000012345")) === null);
});

test("a leaked server is deleted and reported; a node whose record vanished is replaced", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await readyUpload(zk);
  const cloud = fakeCloud("fake-provider");
  const launcher = await startLauncher(t, zk, config({ minReady: 1 }));
  const leaks: number[] = [];
  launcher.events.on("leak", (e) => leaks.push(e.count));
  // Unallocated: its min-ready request is done. Deleting it earlier races the fulfilment (on a
  // busy machine), and a request whose node vanished before fulfilment stays pending.
  const first = await waitFor("min-ready node", async () => (await zk.getNodes()).find((n) => n.state === "ready" && n.allocatedTo === null));
  await zk.client.deleteRecursive(`/nodepool/nodes/${first.id}`);
  // Waits for a cleanup interval and several passes: generous for a loaded machine.
  await waitFor("replacement ready and old server gone", async () => {
    const nodes = await zk.getNodes();
    return nodes.length === 1 && nodes[0]?.state === "ready" && nodes[0].id !== first.id && cloud.servers.size === 1;
  }, 30_000);
  assert.ok(leaks.length >= 1);
});

test("max-ready-age deletes idle ready nodes; hold_expiration deletes held ones", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const old = await zk.storeNode(newNode({ state: "ready", provider: "fake-provider", pool: "main", type: ["fake-label"] }, Date.now() / 1000 - 10));
  const held = await zk.storeNode(newNode({ state: "hold", provider: "fake-provider", pool: "main", type: ["cloud-label"], holdExpiration: 1 }, Date.now() / 1000));
  const forever = await zk.storeNode(newNode({ state: "hold", provider: "fake-provider", pool: "main", type: ["cloud-label"], holdExpiration: 0 }, Date.now() / 1000 - 1e5));
  await startLauncher(t, zk, config({ maxReadyAge: 5 }));
  await waitFor("aged node deleted", async () => (await zk.getNode(old.id!)) === null);
  await waitFor("expired hold deleted", async () => (await zk.getNode(held.id!)) === null, 5000);
  assert.equal((await zk.getNode(forever.id!))?.state, "hold");
});

test("a disabled pool fails requests and never launches; min-ready at capacity is declined", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await startLauncher(t, zk, config({ maxServers: 0, minReady: 1 }));
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  assert.equal((await requestState(zk, request.id!, ["fulfilled", "failed"])).state, "failed");
  const minReady = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "NodePool:min-ready", reuse: false }), 100);
  assert.equal((await requestState(zk, minReady.id!, ["fulfilled", "failed"])).state, "failed");
  assert.equal((await zk.getNodes()).length, 0);
  assert.equal(fakeCloud("fake-provider").createCalls, 0);
});

test("a launcher stopped mid-launch leaves work the next launcher finishes", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const cloud = fakeCloud("fake-provider");
  cloud.holdBuilds = true;
  const first = await startLauncher(t, await connectAnother(), config(), 2001);
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  const building = await waitFor("a building node", async () => (await zk.getNodes()).find((n) => n.state === "building"));
  await first.stop();
  cloud.holdBuilds = false;
  await startLauncher(t, await connectAnother(), config(), 2002);
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.equal(done.state, "fulfilled");
  assert.notEqual(done.nodes[0], building.id);
  await waitFor("abandoned building node deleted", async () => (await zk.getNode(asNodeId(building.id!))) === null);
});

test("unexpected over-quota: the launch is aborted, the request waits, and is served once room appears", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const cloud = fakeCloud("fake-provider");
  await startLauncher(t, zk, config({ providerKeys: { "fake-cloud": { "boot-delay": 0, "max-instances": 2 } } }));
  const r1 = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  const done1 = await requestState(zk, r1.id!, ["fulfilled", "failed"]);
  const held = await zk.lockNode(done1.nodes[0] as NodeId);
  cloud.limits = { ...cloud.limits, instances: 1 };
  const r2 = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  await waitFor("an aborted launch", async () => (await zk.getNodes()).some((n) => n.state === "aborted") || cloud.createCalls > 1);
  assert.equal((await zk.getNodeRequest(r2.id!))?.state, "pending");
  await zk.storeNode({ ...held.record, state: "used" }, held.lock);
  await held.lock.release();
  await zk.deleteNodeRequest(r1.id!);
  assert.equal((await requestState(zk, r2.id!, ["fulfilled", "failed"])).state, "fulfilled");
  assert.equal(cloud.servers.size, 1);
});

test("after a session expiry the launcher re-registers and keeps serving requests", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const own = await connectAnother();
  await startLauncher(t, own, config());
  await waitFor("registered", async () => (await zk.getLaunchers()).length === 1);
  await expireSession(own.client);
  await waitFor("registered again", async () => (await zk.getLaunchers()).length === 1, 20_000);
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  assert.equal((await requestState(zk, request.id!, ["fulfilled", "failed"])).state, "fulfilled");
});

test("a request's lock directory outlives it and is removed once older than the stale age", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await startLauncher(t, zk, config(), process.pid, { staleRequestLockMs: 1000 });
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  await requestState(zk, request.id!, ["fulfilled"]);
  assert.ok(await zk.client.exists(`/nodepool/requests-lock/${request.id}`));
  await zk.deleteNodeRequest(request.id!);
  await waitFor("lock directory removed", async () => (await zk.client.exists(`/nodepool/requests-lock/${request.id}`)) === null);
});

test("while ZooKeeper is unreachable no reconcile pass runs; once it is back the launcher serves requests again", async (t) => {
  resetFakeClouds();
  const { hosts, zk } = await zkForTest(t);
  const { server, chroot } = splitTestHosts(hosts);
  const proxy = await zkProxy(t, server);
  const own = await NodepoolZk.connect({ hosts: `${proxy.address}${chroot}`, connectTimeoutMs: 5_000, sessionTimeoutMs: 4_000, logger: quietLogger });
  t.after(() => own.close());
  const launcher = await startLauncher(t, own, config());
  await waitFor("registered", async () => (await zk.getLaunchers()).length === 1);
  const passStates: string[] = [];
  launcher.events.on("pass", () => passStates.push(own.client.state));

  proxy.silence();
  await waitFor("the launcher to notice ZooKeeper is unreachable", () => own.client.state !== "connected", 15_000);
  launcher.trigger("test: a change while ZooKeeper is unreachable");
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  proxy.resume();

  assert.equal((await requestState(zk, request.id!, ["fulfilled", "failed"])).state, "fulfilled");
  assert.ok(passStates.length > 0);
  assert.deepEqual(
    passStates.filter((state) => state !== "connected"),
    [],
    "every pass ran while connected",
  );
});
