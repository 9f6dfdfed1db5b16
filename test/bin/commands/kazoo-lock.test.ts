import { test } from "node:test";
import assert from "node:assert/strict";
import { newNode, paths, type NodeId } from "../../../engine/zk/index.ts";
import { Kazoo } from "../../kazoo/kazoo.ts";
import { zkForTest } from "../../helpers/zk.ts";
import { nodepoolOn } from "./_cli.ts";

test("a node locked by kazoo (as Zuul locks it) lists as locked and is not deleted until released", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const node = await zk.storeNode(newNode({ state: "in-use", provider: "p", type: ["l"] }));
  const id = node.id as NodeId;
  const kazoo = await Kazoo.start(t, hosts);
  assert.equal(await kazoo.call("lock", { name: "node", path: paths.nodeLockPath(id) }), true);

  const listed = await nodepoolOn(hosts, ["list", "--json"]);
  assert.deepEqual((JSON.parse(String(listed.stdout)) as { locked: string }[]).map((n) => n.locked), ["locked"]);

  const refused = await nodepoolOn(hosts, ["delete", id]);
  assert.equal(refused.exitCode, 1);
  assert.match(String(refused.stderr), /timed out waiting 5000 ms for the lock on node/);
  assert.equal((await zk.getNode(id))?.state, "in-use");

  await kazoo.call("release", { name: "node" });
  const deleted = await nodepoolOn(hosts, ["delete", id, "--json"]);
  assert.equal(deleted.exitCode, 0, String(deleted.stderr));
  assert.equal((await zk.getNode(id))?.state, "deleting");
});
