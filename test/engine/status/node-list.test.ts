import assert from "node:assert/strict";
import { test } from "node:test";
import { Writable } from "node:stream";
import { pino } from "pino";
import { STATUS_LISTINGS } from "../../../engine/status/index.ts";
import { newNode, NodepoolZk, paths, type NodeId } from "../../../engine/zk/index.ts";
import { quietLogger, zkForTest } from "../../helpers/zk.ts";

const T0 = 1_700_000_000;

async function lockedColumn(zk: NodepoolZk): Promise<[string, string][]> {
  const rows = JSON.parse(await STATUS_LISTINGS["node-list"].render(zk, { json: true, now: T0 })) as { id: string; locked: string }[];
  return rows.map((r) => [r.id, r.locked]);
}

test("Locked is exact whatever the lock directory holds: none, empty, a stray child, a holder, a holder and a waiter", async (t) => {
  const { zk, hosts, connectAnother } = await zkForTest(t);
  const ids: NodeId[] = [];
  for (let i = 0; i < 6; i++) ids.push((await zk.storeNode(newNode({ state: "ready", provider: "p" }, T0))).id as NodeId);
  const [noDir, emptyDir, strayChild, held, heldAndWaited, releasedAfterwards] = ids as [NodeId, NodeId, NodeId, NodeId, NodeId, NodeId];
  await zk.client.create(paths.nodeLockPath(emptyDir));
  await zk.client.createWithParents(`${paths.nodeLockPath(strayChild)}/not-a-contender`, "", "persistent");
  const other = await connectAnother();
  await other.lockNode(held);
  await other.lockNode(heldAndWaited);
  const waiting = zk.lockNode(heldAndWaited, { blocking: true });
  const released = await other.lockNode(releasedAfterwards);
  await released.lock.release();

  const expected: [string, string][] = [
    [noDir, "unlocked"],
    [emptyDir, "unlocked"],
    [strayChild, "unlocked"],
    [held, "locked"],
    [heldAndWaited, "locked"],
    [releasedAfterwards, "unlocked"],
  ];
  assert.deepEqual(await lockedColumn(zk), expected);
  // Spread over four sessions (what `nodepool list` does), shares of 2, 2, 2 and none: the same rows.
  const spread = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger: quietLogger }, 4);
  t.after(() => spread.close());
  assert.deepEqual(await lockedColumn(spread), expected);
  other.close();
  await (await waiting).lock.release();
});

test("a malformed node is skipped with a warning naming its znode; the others are listed", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const good = await zk.storeNode(newNode({ state: "ready", provider: "p" }, T0));
  await zk.client.create("/nodepool/nodes/0000000100", JSON.stringify({ state: "ready", state_time: "yesterday" }));
  await zk.client.create("/nodepool/nodes/0000000101", "");
  const warnings: { path?: string; msg?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(JSON.parse(chunk.toString()) as { path?: string; msg?: string });
      done();
    },
  });
  const watched = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger: pino({ level: "warn" }, sink) });
  t.after(() => watched.close());

  assert.deepEqual(await lockedColumn(watched), [[good.id, "unlocked"]]);
  assert.deepEqual(
    warnings.map((w) => [w.msg, w.path]),
    [["skipping malformed record", "/nodepool/nodes/0000000100"]],
    "the data-less znode is left out silently, as garbage of a lock attempt",
  );
});
