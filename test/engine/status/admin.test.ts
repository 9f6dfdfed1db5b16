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
