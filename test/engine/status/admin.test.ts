import { test } from "node:test";
import assert from "node:assert/strict";
import { createProvider } from "../../../engine/drivers/index.ts";
import { fakeCloud } from "../../../engine/drivers/fake/cloud.ts";
import {
  deleteNodeCommand,
  eraseProviderBuilds,
  eraseProviderNodes,
  holdNode,
  loadProviderInfo,
  NodeNotHoldableError,
  NodeUnreadableError,
  ProvidersUnknownError,
} from "../../../engine/status/index.ts";
import { LockTimeoutError, newNode, type NodeId } from "../../../engine/zk/index.ts";
import { loadConfigText } from "../../../schema/index.ts";
import { zkForTest } from "../../helpers/zk.ts";
import { seedTree } from "./_seed.ts";

const providersOf = (name: string) => {
  const result = loadConfigText(
    `providers:\n  - name: ${name}\n    driver: fake\n    cloud: fake\n    pools:\n      - name: main\n        labels:\n          - name: fake-label\n            cloud-image: img\n            min-ram: 1\n    cloud-images:\n      - name: img\nlabels:\n  - name: fake-label\n`,
    "nodepool.yaml",
  );
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.config.providers;
};

test("erase removes the provider's uploads under every build and all its nodes, locked or not", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  assert.deepEqual(await eraseProviderBuilds(zk, "other-provider"), ["fake-image-0000000001"]);
  assert.deepEqual(await eraseProviderNodes(zk, "other-provider"), [seeded.used.id]);
  const info = await loadProviderInfo(zk, "other-provider");
  assert.deepEqual(info.image_builds.flatMap((b) => b.build_ids), []);
  assert.deepEqual(info.nodes, []);
  assert.equal(await zk.getNode(seeded.used.id), null);
  assert.notEqual(await zk.getNode(seeded.ready.id), null, "other providers' nodes stay");
  assert.equal((await loadProviderInfo(zk, "fake-provider")).image_builds[1]?.build_ids.length, 1);
});

test("delete marks the node deleting under its lock and releases it", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const outcome = await deleteNodeCommand(zk, seeded.ready.id);
  assert.equal(outcome.kind, "marked");
  assert.equal((await zk.getNode(seeded.ready.id))?.state, "deleting");
  const { lock } = await zk.lockNode(seeded.ready.id, { blocking: false });
  await lock.release();
  assert.deepEqual(await deleteNodeCommand(zk, "0000000999"), { kind: "not-found" });
});

test("delete waits for a node locked elsewhere, then fails with a lock timeout", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  await assert.rejects(deleteNodeCommand(zk, seeded.used.id, { lockTimeoutMs: 300 }), LockTimeoutError);
  assert.equal((await zk.getNode(seeded.used.id))?.state, "in-use");
});

test("delete --now deletes the server through the driver and removes the record", async (t) => {
  const { zk } = await zkForTest(t);
  const providers = providersOf("fake-delete-now");
  const server = fakeCloud("fake-delete-now").addServer({});
  const node = await zk.storeNode(newNode({ state: "ready", provider: "fake-delete-now", externalId: server.id }));
  const id = node.id as NodeId;
  await assert.rejects(deleteNodeCommand(zk, id, { now: true }), ProvidersUnknownError);
  const outcome = await deleteNodeCommand(zk, id, { now: true, providers, createProvider });
  assert.equal(outcome.kind, "deleted");
  assert.equal(fakeCloud("fake-delete-now").servers.has(server.id), false);
  assert.equal(await zk.client.exists(`/nodepool/nodes/${id}`), null);
});

test("delete --now of a node whose provider is not configured changes nothing", async (t) => {
  const { zk } = await zkForTest(t);
  const node = await zk.storeNode(newNode({ state: "used", provider: "elsewhere", externalId: "x" }));
  const outcome = await deleteNodeCommand(zk, node.id as NodeId, { now: true, providers: providersOf("fake-x"), createProvider });
  assert.equal(outcome.kind, "provider-not-configured");
  assert.equal((await zk.getNode(node.id as NodeId))?.state, "used");
});

test("hold sets hold with the reason as comment; deleting nodes cannot be held", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const held = await holdNode(zk, seeded.ready.id, { reason: "debugging" });
  assert.equal(held?.state, "hold");
  const stored = await zk.getNode(seeded.ready.id);
  assert.equal(stored?.state, "hold");
  assert.equal(stored?.comment, "debugging");
  assert.equal(await holdNode(zk, "0000000999"), null);
  await deleteNodeCommand(zk, seeded.ready.id);
  await assert.rejects(holdNode(zk, seeded.ready.id), NodeNotHoldableError);
});

test("delete removes a node znode whose record cannot be read, with or without --now, under its lock", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  await zk.client.createWithParents("/nodepool/nodes/0000009001", "{not json", "persistent");
  await zk.client.createWithParents("/nodepool/nodes/0000009002", JSON.stringify({ state: "ready", state_time: "yesterday" }), "persistent");
  await zk.client.createWithParents("/nodepool/nodes/0000009003", "", "persistent");
  const gone = async (id: string): Promise<boolean> => (await zk.client.exists(`/nodepool/nodes/${id}`)) === null;

  const other = await connectAnother();
  const held = await other.lockNodeZnode("0000009001" as NodeId, { blocking: false });
  await assert.rejects(deleteNodeCommand(zk, "0000009001", { lockTimeoutMs: 300 }), LockTimeoutError);
  assert.equal(await gone("0000009001"), false, "a lock held elsewhere is waited for, not broken");
  await held.release();

  const badJson = await deleteNodeCommand(zk, "0000009001");
  assert.equal(badJson.kind, "unreadable-deleted");
  assert.match(badJson.kind === "unreadable-deleted" ? badJson.reason : "", /\/nodepool\/nodes\/0000009001: not valid JSON/);
  const badField = await deleteNodeCommand(zk, "0000009002", { now: true, providers: providersOf("fake-x"), createProvider });
  assert.deepEqual(badField, { kind: "unreadable-deleted", reason: '/nodepool/nodes/0000009002: invalid node record at "state_time": Invalid input: expected number, received string' });
  assert.deepEqual(await deleteNodeCommand(zk, "0000009003"), { kind: "unreadable-deleted", reason: "/nodepool/nodes/0000009003: no data" });
  for (const id of ["0000009001", "0000009002", "0000009003"]) assert.equal(await gone(id), true, id);
  assert.deepEqual(await deleteNodeCommand(zk, "0000009001"), { kind: "not-found" });
});

test("hold refuses a node whose record cannot be read, saying why, and leaves it", async (t) => {
  const { zk } = await zkForTest(t);
  await zk.client.createWithParents("/nodepool/nodes/0000009001", "{not json", "persistent");
  await assert.rejects(holdNode(zk, "0000009001"), (error: Error) => {
    assert.ok(error instanceof NodeUnreadableError);
    assert.match(error.message, /^node 0000009001 cannot be held: its record cannot be read \(\/nodepool\/nodes\/0000009001: not valid JSON .*\); remove it with nodepool delete 0000009001$/);
    return true;
  });
  assert.equal((await zk.client.get("/nodepool/nodes/0000009001")).data.toString(), "{not json");
  assert.deepEqual(await zk.client.getChildren("/nodepool/nodes/0000009001/lock"), [], "the lock is released");
});
