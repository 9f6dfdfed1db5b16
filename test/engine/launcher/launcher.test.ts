import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { Launcher } from "../../../engine/launcher/launcher.ts";
import { describeAction } from "../../../engine/reconcile/actions.ts";
import type { Watcher } from "../../../engine/zk/client.ts";
import type { NodeId } from "../../../engine/zk/ids.ts";
import { nodeLockPath } from "../../../engine/zk/paths.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, readyUpload, requestState, startLauncher } from "./fixtures.ts";

test("a request is fulfilled with a ready, unlocked node carrying the reference's fields", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const uploadPath = await readyUpload(zk);
  await startLauncher(t, zk, config());
  const started = Date.now();
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], requestor: "zuul-test" }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  const elapsed = Date.now() - started;
  assert.equal(done.state, "fulfilled");
  assert.equal(done.nodes.length, 1);
  const node = await zk.getNode(done.nodes[0] as NodeId);
  assert.ok(node);
  assert.equal(node.state, "ready");
  assert.equal(node.allocatedTo, request.id);
  assert.equal(node.launcher, "test-" + process.pid + "-PoolWorker.fake-provider-main");
  assert.equal(node.cloud, "fake");
  assert.equal(node.region, "fake-region");
  assert.equal(node.az, "az1");
  assert.equal(node.username, "zuul");
  assert.equal(node.connectionType, "ssh");
  assert.equal(node.connectionPort, 22);
  assert.equal(node.imageId, uploadPath);
  assert.deepEqual(node.resources, { cores: 4, instances: 1, ram: 8192 });
  assert.deepEqual(node.attributes, { key1: "value1" });
  assert.deepEqual(node.hostKeys, ["ssh-rsa FAKEKEY"]);
  const locked = await zk.lockNode(done.nodes[0] as NodeId, { blocking: false });
  await locked.lock.release();
  t.diagnostic(`single request fulfilled in ${elapsed} ms`);
});

test("an unknown label fails the request; min-ready nodes come up unallocated", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await readyUpload(zk);
  await startLauncher(t, zk, config({ minReady: 2 }));
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["zorky-zumba"], requestor: "zuul-test" }), 200);
  const failed = await requestState(zk, request.id!, ["failed", "fulfilled"]);
  assert.equal(failed.state, "failed");
  assert.equal(failed.declinedBy.length, 1);
  await waitFor("two ready unallocated nodes", async () => {
    const nodes = await zk.getNodes();
    const ready = nodes.filter((n) => n.state === "ready" && n.allocatedTo === null && n.type[0] === "fake-label");
    return ready.length === 2 && (await zk.getNodeRequests()).length === 1;
  });
});

test("a used node is deleted with its server; a node returned unused is deallocated", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await startLauncher(t, zk, config());
  const cloud = fakeCloud("fake-provider");
  const ids: NodeId[] = [];
  for (let i = 0; i < 2; i++) {
    const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" }), 200);
    const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
    assert.equal(done.state, "fulfilled");
    ids.push(done.nodes[0] as NodeId);
    await zk.deleteNodeRequest(request.id!);
  }
  assert.equal(cloud.servers.size, 2);
  const { lock, record } = await zk.lockNode(ids[0]!);
  await zk.storeNode({ ...record, state: "used" }, lock);
  await lock.release();
  await waitFor("used node and its server gone", async () => (await zk.getNode(ids[0]!)) === null && cloud.servers.size === 1);
  await waitFor("unused node deallocated", async () => (await zk.getNode(ids[1]!))?.allocatedTo === null);
});

test("a used node whose lock is let go just after our attempt is deleted at once, not at the next retry", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const zuul = await connectAnother();
  let holder: { readonly path: string; release(): Promise<void> } | undefined;
  // The holder lets go between the launcher's failed lock attempt and its watch on the lock.
  const getChildren = zk.client.getChildren.bind(zk.client);
  const watchAfterRelease = async (path: string, watcher?: Watcher): Promise<string[]> => {
    const letGo = holder;
    if (watcher && letGo && path === letGo.path) {
      holder = undefined;
      await letGo.release();
    }
    return getChildren(path, watcher);
  };
  Object.defineProperty(zk.client, "getChildren", { value: watchAfterRelease });
  await startLauncher(t, zk, config(), process.pid, { retryIntervalMs: 60_000, cleanupIntervalMs: 60_000 });
  const request = await zuul.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" }), 200);
  const done = await requestState(zuul, request.id!, ["fulfilled"]);
  const id = done.nodes[0] as NodeId;
  const { lock, record } = await zuul.lockNode(id);
  holder = { path: nodeLockPath(id), release: () => lock.release() };
  await zuul.storeNode({ ...record, state: "used" }, lock);
  await waitFor("the used node deleted", async () => (await zuul.getNode(id)) === null, 5_000);
  assert.equal(holder, undefined, "the launcher watched the lock while it was held");
});

test("two launchers on one ZooKeeper fulfil each request once and launch once for it", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  await startLauncher(t, zk, config({ maxServers: 200 }), 1001);
  await startLauncher(t, await connectAnother(), config({ maxServers: 200 }), 1002);
  const ids = await Promise.all(
    Array.from({ length: 30 }, () => zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" }), 200)),
  );
  const done = await Promise.all(ids.map((r) => requestState(zk, r.id!, ["fulfilled", "failed"])));
  assert.ok(done.every((r) => r.state === "fulfilled"));
  const nodes = await zk.getNodes();
  assert.equal(nodes.length, 30);
  assert.equal(new Set(done.map((r) => r.nodes[0])).size, 30);
  assert.equal(fakeCloud("fake-provider").servers.size, 30);
});

test("two launchers split min-ready: the label gets min-ready nodes, not twice as many", async (t) => {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  await readyUpload(zk);
  await startLauncher(t, zk, config({ minReady: 2 }), 3001);
  await startLauncher(t, await connectAnother(), config({ minReady: 2 }), 3002);
  await waitFor("two ready nodes", async () => (await zk.getNodes()).filter((n) => n.state === "ready").length === 2);
  // With no min-ready request outstanding, both launchers count the label as satisfied.
  await waitFor("no outstanding min-ready requests", async () => (await zk.getNodeRequests()).length === 0);
  assert.equal((await zk.getNodes()).length, 2);
});

test("plan() shows the next pass without acting; runOnce() carries one pass out", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await readyUpload(zk);
  const launcher = new Launcher({ zk, config: config({ minReady: 1 }), log: quietLogger, identity: { hostname: "plan", pid: 1 } });
  await launcher.prepare();
  t.after(() => launcher.stop());
  const first = launcher.plan();
  assert.deepEqual(first.map(describeAction), ["+ request 1 fake-label node (min-ready 1, 0 ready: launch 1)"]);
  assert.equal((await zk.getNodeRequests()).length, 0);
  const kinds: string[] = [];
  const settled = async (): Promise<boolean> => (await zk.getNodeRequests()).length === 0 && (await zk.getNodes()).some((n) => n.state === "ready" && n.allocatedTo === null);
  while (!(await settled())) {
    await waitFor("the next pass to have work", async () => launcher.plan().length > 0 || (await settled()));
    await launcher.runOnce((event) => kinds.push(event.action.kind));
  }
  assert.deepEqual(kinds, ["min-ready", "accept", "fulfil", "min-ready-done"]);
  const nodes = await zk.getNodes();
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]?.state, "ready");
});

test("the log says what the launcher did, with the request and node ids an operator greps for", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  await readyUpload(zk);
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  await startLauncher(t, zk, config(), process.pid, { log });
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], requestor: "zuul-test" }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled"]);
  const said = (msg: string): Record<string, unknown> | undefined => lines.find((l) => l.msg === msg && l.request === request.id);
  await waitFor("the fulfilment logged", () => said("request fulfilled"));
  assert.equal(said("request accepted")?.requestor, "zuul-test");
  assert.equal(said("node ready")?.node, done.nodes[0]);
  assert.equal(said("node ready")?.provider, "fake-provider");
});
