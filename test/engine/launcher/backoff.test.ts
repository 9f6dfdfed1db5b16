import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import type { NodeId } from "../../../engine/zk/ids.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, requestState, startLauncher } from "./fixtures.ts";

test("a deletion that keeps failing is retried at growing intervals, not every pass, and plan shows when the next try is due", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const launcher = await startLauncher(t, zk, config(), process.pid, { actionRetry: { initialMs: 200, maxMs: 400 } });
  const cloud = fakeCloud("fake-provider");
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  const id = done.nodes[0] as NodeId;
  await zk.deleteNodeRequest(request.id!);

  const failures: number[] = [];
  launcher.events.on("action", ({ action, ok }) => {
    if (action.kind === "delete-node" && action.node === id && !ok) failures.push(performance.now());
  });
  cloud.failDeletes = 4;
  const { lock, record } = await zk.lockNode(id);
  await zk.storeNode({ ...record, state: "used" }, lock);
  await lock.release();

  await waitFor("the first failure", () => failures.length >= 1);
  const planned = launcher.plan().find((a) => a.kind === "delete-node" && a.node === id);
  assert.ok(planned?.retry, "the plan shows the node waiting");
  assert.equal(planned.retry.failures, 1);
  assert.match(planned.retry.error, /server deletion failed/);
  assert.ok(planned.retry.at > Date.now() / 1000);

  await waitFor("node and server gone after the failures", async () => (await zk.getNode(id)) === null && cloud.servers.size === 0, 15_000);
  assert.equal(failures.length, 4, "one try per backoff interval, not one per pass");
  const gaps = failures.slice(1).map((at, i) => at - failures[i]!);
  // 200 ms, then 400 ms, then 400 ms again (the cap); a pass may come a little after the due time, never before.
  for (const [i, expected] of [200, 400, 400].entries()) assert.ok(gaps[i]! >= expected - 20, `gap ${i} was ${Math.round(gaps[i]!)} ms, at least ${expected} expected (gaps: ${gaps.map(Math.round).join(", ")})`);
  assert.equal(launcher.plan().filter((a) => a.retry !== undefined).length, 0, "a success resets the backoff");
});
