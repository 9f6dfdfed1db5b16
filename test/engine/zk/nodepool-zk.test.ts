import assert from "node:assert/strict";
import { test } from "node:test";
import { ClientClosedError, LockBusyError, LockLostError, RecordGoneError } from "../../../engine/zk/errors.ts";
import { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { asLauncherId, asNodeId, asRequestId } from "../../../engine/zk/ids.ts";
import { newBuild, newUpload, withBuildState } from "../../../engine/zk/records/image.ts";
import { newLauncher } from "../../../engine/zk/records/launcher.ts";
import { newNode, withNodeState } from "../../../engine/zk/records/node.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";

test("nodes get sequential ids from ZooKeeper and round-trip", async (t) => {
  const { zk } = await zkForTest(t);
  const a = await zk.storeNode(newNode({ provider: "p", type: ["l"] }));
  const b = await zk.storeNode(newNode({ provider: "p", type: ["l"] }));
  assert.equal(a.id, "0000000000", "the first node of a fresh tree");
  assert.ok(b.id !== undefined && b.id > a.id);
  await zk.storeNode(withNodeState(a, "ready"));
  assert.equal((await zk.getNode(asNodeId("0000000000")))?.state, "ready");
  assert.deepEqual((await zk.getNodes()).map((n) => n.id).sort(), [a.id, b.id]);
  await zk.deleteNode({ ...a, id: asNodeId(a.id ?? "") });
  assert.equal(await zk.getNode(asNodeId("0000000000")), null);
});

test("empty and malformed node znodes are skipped by listings", async (t) => {
  const { zk } = await zkForTest(t);
  await zk.storeNode(newNode({ provider: "p" }));
  await zk.client.ensurePath("/nodepool/nodes/0000999999/lock");
  await zk.client.create("/nodepool/nodes/0000999998", "{broken");
  assert.equal((await zk.getNodes()).length, 1);
  assert.deepEqual(await zk.getEmptyNodeIds(), ["0000999999"]);
  await zk.deleteNodeZnode(asNodeId("0000999999"));
  assert.equal(await zk.client.exists("/nodepool/nodes/0000999999"), null);
});

test("requests are ephemeral sequential with their priority prefix, and sorted for serving", async (t) => {
  const { zk } = await zkForTest(t);
  const low = await zk.submitNodeRequest(newRequest({ nodeTypes: ["l"] }), 300);
  const high = await zk.submitNodeRequest(newRequest({ nodeTypes: ["l"] }), 99);
  assert.match(low.id ?? "", /^300-\d{10}$/);
  assert.match(high.id ?? "", /^099-\d{10}$/);
  const stat = await zk.client.exists(`/nodepool/requests/${low.id}`);
  assert.notEqual(stat?.ephemeralOwner, "0");
  assert.deepEqual((await zk.getNodeRequests()).map((r) => r.id), [high.id, low.id]);
  await zk.deleteNodeRequest(asRequestId(low.id ?? ""));
  assert.equal(await zk.getNodeRequest(asRequestId(low.id ?? "")), null);
});

test("locking a request re-reads it; a second non-blocking attempt is refused", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const other = await connectAnother();
  const r = await zk.submitNodeRequest(newRequest({ nodeTypes: ["l"] }));
  const id = asRequestId(r.id ?? "");
  const held = await zk.lockNodeRequest(id);
  assert.deepEqual(held.record.nodeTypes, ["l"]);
  await assert.rejects(other.lockNodeRequest(id), LockBusyError);
  assert.equal((await zk.client.getChildren(`/nodepool/requests-lock/${id}`)).length, 1, "the refused attempt left no contender");
  await held.lock.release();
  const again = await other.lockNodeRequest(id);
  await again.lock.release();
  assert.notEqual(await zk.getRequestLockStat(id), null, "the lock directory outlives the lock");
});

test("locking a deleted node never re-creates it", async (t) => {
  const { zk } = await zkForTest(t);
  await assert.rejects(zk.lockNode(asNodeId("0000000042"), { blocking: false }), RecordGoneError);
  assert.equal(await zk.client.exists("/nodepool/nodes/0000000042"), null);
});

test("a write guarded by a lost lock is refused", async (t) => {
  const { zk } = await zkForTest(t, { sessionTimeoutMs: 4000 });
  const n = await zk.storeNode(newNode({ provider: "p" }));
  const { lock, record } = await zk.lockNode(asNodeId(n.id ?? ""));
  await zk.client.expireSessionForTest();
  await waitFor("the lock to be lost", () => lock.lost);
  await waitFor("a new session", () => zk.client.state === "connected");
  await assert.rejects(zk.storeNode(withNodeState(record, "used"), lock), LockLostError);
  assert.equal((await zk.getNode(asNodeId(n.id ?? "")))?.state, "init");
});

test("launcher registration is ephemeral and rewritten only when it changes", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const launcher = await connectAnother();
  const id = asLauncherId("host-1-PoolWorker.p-main");
  await launcher.registerLauncher(newLauncher(id, "p", ["b", "a"]));
  const before = await zk.client.exists(`/nodepool/launchers/${id}`);
  await launcher.registerLauncher(newLauncher(id, "p", ["a", "b"]));
  assert.equal((await zk.client.exists(`/nodepool/launchers/${id}`))?.version, before?.version);
  await launcher.registerLauncher(newLauncher(id, "p", ["a", "b", "c"]));
  assert.deepEqual((await zk.getLaunchers()).map((l) => l.supportedLabels), [["a", "b", "c"]]);
  launcher.close();
  await waitFor("the registration to vanish", async () => (await zk.getLaunchers()).length === 0);
});

test("builds and uploads: sequential ids after the lock dir, most recent upload, guarded delete", async (t) => {
  const { zk } = await zkForTest(t);
  const buildLock = await zk.lockImageBuild("img");
  const build = await zk.storeBuild(newBuild("img", { builder: "nb01", formats: ["qcow2"] }), buildLock);
  await buildLock.release();
  assert.equal(build.id, "0000000001", "the first build follows the builds/lock directory");
  const buildId = build.id;
  assert.ok(buildId !== undefined);
  await zk.storeBuild(withBuildState(build, "ready"));
  const uploadLock = await zk.lockUpload("img", buildId, "p1");
  const upload = await zk.storeUpload(newUpload("img", buildId, "p1", { username: "zuul" }), uploadLock);
  await uploadLock.release();
  assert.equal(upload.id, "0000000001");
  const uploadId = upload.id;
  assert.ok(uploadId !== undefined);
  assert.deepEqual(await zk.getBuildIds("img"), [buildId], "the lock child is skipped");
  await zk.storeUpload({ ...upload, state: "ready", stateTime: 10, externalId: "ext" });
  assert.equal((await zk.getMostRecentImageUpload("img", "p1"))?.externalId, "ext");
  assert.equal(await zk.deleteBuild("img", buildId), false, "refused while uploads remain");
  await zk.deleteUpload("img", buildId, "p1", uploadId);
  assert.equal(await zk.deleteBuild("img", buildId), true);
  assert.deepEqual(await zk.getBuilds("img"), []);
});

test("build requests and the runtime pause marker live beside builds", async (t) => {
  const { zk } = await zkForTest(t);
  await zk.submitBuildRequest("img");
  assert.equal(await zk.hasBuildRequest("img"), true);
  await zk.setImagePaused("img", true);
  assert.equal(await zk.isImagePaused("img"), true);
  assert.deepEqual((await zk.client.getChildren("/nodepool/images/img")).sort(), ["pause", "request-build"]);
  await zk.removeBuildRequest("img");
  await zk.setImagePaused("img", false);
  assert.equal(await zk.hasBuildRequest("img"), false);
  assert.equal(await zk.isImagePaused("img"), false);
});

test("after a session expiry the registration is gone and the next assertion re-creates it", async (t) => {
  const { zk, connectAnother } = await zkForTest(t, { sessionTimeoutMs: 4000 });
  const observer = await connectAnother();
  const launcher = newLauncher(asLauncherId("h-1-PoolWorker.p-main"), "p", ["a"]);
  await zk.registerLauncher(launcher);
  await zk.client.expireSessionForTest();
  await waitFor("the registration to vanish", async () => (await observer.getLaunchers()).length === 0);
  await zk.client.waitConnected(10_000);
  await zk.registerLauncher(launcher);
  const stat = await observer.client.exists("/nodepool/launchers/h-1-PoolWorker.p-main");
  assert.equal(stat?.ephemeralOwner, zk.client.sessionId, "re-created as an ephemeral of the new session");
});

test("request-lock directories outlive their request and are removed only on request", async (t) => {
  const { zk } = await zkForTest(t);
  const r = await zk.submitNodeRequest(newRequest({ nodeTypes: ["l"] }));
  const id = asRequestId(r.id ?? "");
  const { lock } = await zk.lockNodeRequest(id);
  await lock.release();
  await zk.deleteNodeRequest(id);
  assert.deepEqual(await zk.getRequestLockIds(), [id]);
  const stat = await zk.getRequestLockStat(id);
  assert.ok(stat !== null && stat.mtime.getTime() <= Date.now());
  await zk.deleteRequestLock(id);
  assert.deepEqual(await zk.getRequestLockIds(), []);
});

test("ZooKeeper requests for a launch: a fresh node lock costs three, a request lock held and released five", async (t) => {
  const { zk } = await zkForTest(t);
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["l"] }));
  const node = await zk.storeNode(newNode({ provider: "p", allocatedTo: asRequestId(request.id ?? "") }));
  let before = zk.operationCount;
  const held = await zk.lockNode(asNodeId(node.id ?? ""), { blocking: false, justCreated: node });
  assert.equal(zk.operationCount - before, 3, "contender (no lock dir), lock dir, contender with sequence 0");
  assert.equal(held.lock.contenderName?.endsWith("__lock__0000000000"), true);
  await held.lock.release();
  const first = await zk.lockNodeRequest(asRequestId(request.id ?? ""));
  await first.lock.release();
  const second = await zk.submitNodeRequest(newRequest({ nodeTypes: ["l"] }));
  before = zk.operationCount;
  const req = await zk.lockNodeRequest(asRequestId(second.id ?? ""));
  await req.lock.release();
  assert.equal(zk.operationCount - before, 5, "contender (no dir yet), dir, contender with sequence 0, re-read, release");
  before = zk.operationCount;
  const again = await zk.lockNode(asNodeId(node.id ?? ""), { blocking: false });
  await again.lock.release();
  assert.equal(zk.operationCount - before, 4, "contender, listing, re-read, release");
});

test("bulk readers are sessions of their own, closed with the client", async (t) => {
  const { hosts, zk } = await zkForTest(t);
  await zk.storeNode(newNode({ provider: "p" }));
  const spread = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger: quietLogger }, 4);
  assert.equal(spread.readers[0], spread.client);
  assert.equal(new Set(spread.readers.map((reader) => reader.sessionId)).size, 4, "four sessions, so ZooKeeper serves their reads in parallel");
  for (const reader of spread.readers) assert.deepEqual(await reader.getChildren("/nodepool/nodes"), ["0000000000"]);
  spread.close();
  for (const reader of spread.readers) await assert.rejects(reader.getChildren("/nodepool/nodes"), ClientClosedError);
  const one = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger: quietLogger });
  assert.deepEqual(one.readers, [one.client]);
  one.close();
});
