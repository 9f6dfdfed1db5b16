import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { execa } from "execa";
import { requestCache } from "../../../engine/zk/caches.ts";
import { asBuildId, asLauncherId, asNodeId, asRequestId } from "../../../engine/zk/ids.ts";
import { newBuild, newUpload } from "../../../engine/zk/records/image.ts";
import { newLauncher } from "../../../engine/zk/records/launcher.ts";
import { newNode, withNodeState } from "../../../engine/zk/records/node.ts";
import { MIN_READY_REQUESTOR, newRequest, withRequestState } from "../../../engine/zk/records/request.ts";
import { Kazoo } from "../../kazoo/kazoo.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";

/** spec/zookeeper.md §9: our records and locks as Zuul and the Python Nodepool see them (items 7, 10, 16, 19, 21, 22). */

const NODEPOOL = fileURLToPath(new URL("../../../bin/nodepool", import.meta.url));

const ZUUL_REQUEST = {
  node_types: ["label1", "label1"],
  requestor: "zuul-test",
  created_time: 1556000000.0,
  provider: null,
  state: "requested",
  state_time: 1556000000.0,
  relative_priority: 0,
};

test("a request written exactly as Zuul writes it is read, locked, rewritten and re-prioritised compatibly", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const zuul = await Kazoo.start(t, hosts);
  const cache = await requestCache(zk.client).start();
  t.after(() => cache.close());
  const path = await zuul.call<string>("create", { path: "/nodepool/requests/200-", data: ZUUL_REQUEST, ephemeral: true, sequence: true });
  const id = asRequestId(path.split("/").pop() ?? "");
  assert.match(id, /^200-\d{10}$/);
  const read = await zk.getNodeRequest(id);
  assert.ok(read);
  assert.deepEqual(read.nodeTypes, ["label1", "label1"]);
  assert.equal(read.reuse, true, "Zuul never writes reuse");
  assert.equal(read.requestor, "zuul-test");
  assert.equal(read.state, "requested");
  assert.deepEqual(read.extra, { created_time: 1556000000.0 });
  await waitFor("the cache to see it", () => cache.get(id));

  const held = await zk.lockNodeRequest(id);
  assert.equal(await zuul.call("lock", { name: "rp", path: `/nodepool/requests-lock/${id}`, blocking: false }), false, "Zuul's revision is skipped while we hold it");
  await zk.storeNodeRequest(withRequestState(held.record, "pending"), held.lock);
  await held.lock.release();
  const asNodepool = await zuul.call<Record<string, unknown>>("parse", { path, kind: "request" });
  assert.equal(asNodepool.state, "pending");
  assert.deepEqual(asNodepool.declined_by, []);
  const raw = JSON.parse((await zuul.call<{ data: string }>("get", { path })).data) as Record<string, unknown>;
  assert.equal(raw.created_time, 1556000000.0, "Zuul's created_time survives our rewrite");

  // Zuul's relative-priority revision: lock, rewrite the whole record it read, unlock.
  assert.equal(await zuul.call("lock", { name: "rp2", path: `/nodepool/requests-lock/${id}`, blocking: false }), true);
  await zuul.call("set", { path, data: { ...raw, relative_priority: 7 } });
  await zuul.call("release", { name: "rp2" });
  const revised = await zk.getNodeRequest(id);
  assert.equal(revised?.relativePriority, 7);
  assert.equal(revised?.state, "pending");
  assert.deepEqual(revised?.extra, { created_time: 1556000000.0 });
  await waitFor("the cache to see the revision", () => cache.get(id)?.relativePriority === 7);
});

test("every record we write parses with Nodepool 3.x's model and carries no key that corrupts Zuul", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const python = await Kazoo.start(t, hosts);
  const k8s = { name: "ns", namespace: "ns", host: "https://k8s:6443", skiptls: false, token: "t", ca_crt: "c", user: "zuul-worker", pod: "fedora-pod" };
  const created = await zk.storeNode(newNode({ provider: "p", pool: "main", type: ["l"], allocatedTo: asRequestId("200-0000000001"), launcher: "h-1-PoolWorker.p-main" }));
  const id = asNodeId(created.id ?? "");
  const steps = [
    withNodeState(created, "building"),
    { ...withNodeState(created, "ready"), externalId: "uuid", hostKeys: ["ssh-ed25519 AAAA"], username: "zuul", connectionType: "kubectl", connectionPort: k8s, resources: { cores: 8, instances: 1, ram: 8192 } },
    { ...withNodeState(created, "hold"), holdJob: "t p j .*", comment: "x", holdExpiration: 5 },
  ];
  for (const node of steps) {
    await zk.storeNode(node);
    const parsed = await python.call<Record<string, unknown>>("parse", { path: `/nodepool/nodes/${id}`, kind: "node" });
    assert.equal(parsed.state, node.state);
    assert.deepEqual(parsed.type, ["l"]);
    assert.deepEqual(parsed.connection_port, node.connectionPort);
  }
  const minReady = await zk.submitNodeRequest(newRequest({ nodeTypes: ["l"], reuse: false, requestor: MIN_READY_REQUESTOR }));
  assert.equal((await python.call<Record<string, unknown>>("parse", { path: `/nodepool/requests/${minReady.id}`, kind: "request" })).reuse, false);
  const build = await zk.storeBuild(newBuild("img", { builder: "nb01", builderId: "5b0f7c1e-2d3a-4f67-9a1b-0c2d3e4f5a6b", formats: ["raw", "qcow2"] }));
  const buildPath = `/nodepool/images/img/builds/${build.id}`;
  assert.deepEqual((await python.call<Record<string, unknown>>("parse", { path: buildPath, kind: "build" })).formats, ["qcow2", "raw"]);
  const upload = await zk.storeUpload(newUpload("img", build.id ?? asBuildId(""), "p1"));
  assert.equal((await python.call<Record<string, unknown>>("parse", { path: `${buildPath}/providers/p1/images/${upload.id}`, kind: "upload" })).username, null);
  const launcher = newLauncher(asLauncherId("h-1-PoolWorker.p-main"), "p", ["b", "a"]);
  await zk.registerLauncher(launcher);
  assert.deepEqual(await python.call("parse", { path: "/nodepool/launchers/h-1-PoolWorker.p-main", kind: "launcher" }), {
    id: "h-1-PoolWorker.p-main",
    provider_name: "p",
    supported_labels: ["a", "b"],
  });
});

test("a node lock taken with kazoo is honoured by `nodepool delete`", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const zuul = await Kazoo.start(t, hosts);
  const node = await zk.storeNode(newNode({ state: "ready", provider: "p", type: ["l"] }));
  const id = asNodeId(node.id ?? "");
  assert.equal(await zuul.call("lock", { name: "n", path: `/nodepool/nodes/${id}/lock`, timeout: 5 }), true);
  const cli = ["-c", "/nonexistent/nodepool.yaml", "--zookeeper", hosts, "delete", id];
  const started = Date.now();
  const refused = await execa(NODEPOOL, cli, { reject: false });
  assert.notEqual(refused.exitCode, 0, `delete must fail while Zuul holds the lock:\n${refused.stdout}\n${refused.stderr}`);
  assert.ok(Date.now() - started >= 4500, "the CLI waits 5 s for the lock");
  assert.equal((await zk.getNode(id))?.state, "ready", "the record is unchanged");
  await zuul.call("release", { name: "n" });
  const accepted = await execa(NODEPOOL, cli, { reject: false });
  assert.equal(accepted.exitCode, 0, accepted.stderr);
  assert.equal((await zk.getNode(id))?.state, "deleting");
});
