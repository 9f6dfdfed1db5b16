import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { StatsWorker, type StatsWorkerOptions } from "../../../engine/stats/stats-worker.ts";
import type { StatsClient } from "../../../engine/stats/client.ts";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { expireSession, quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";
import { clientFor, StatsListener } from "./_statsd.ts";
import { MemoryView } from "./_view.ts";

const ELECTION = "/nodepool/elections/stats";

function worker(t: TestContext, zk: NodepoolZk, client: StatsClient, view: MemoryView, options: Partial<StatsWorkerOptions> = {}): StatsWorker {
  const w = new StatsWorker({ zk, client, view, log: quietLogger, minIntervalMs: 50, ...options });
  w.start();
  t.after(() => w.stop());
  return w;
}

const ready = (provider: string, count: number): string => `nodepool.provider.${provider}.nodes.ready:${count}|g`;

test("only the election's leader reports; its contender carries <hostname>-<pid>", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const first = worker(t, zk, client, new MemoryView([{ providerName: "a", supportedLabels: [] }]), { identifier: "host-a-1" });
  await waitFor("the first worker to lead", () => first.leading);
  const second = worker(t, await connectAnother(), client, new MemoryView([{ providerName: "b", supportedLabels: [] }]), { identifier: "host-b-2" });
  await waitFor("two contenders", async () => (await zk.client.getChildren(ELECTION)).length === 2);
  const contenders = await zk.client.getChildren(ELECTION);
  const data = await Promise.all(contenders.map(async (name) => (await zk.client.get(`${ELECTION}/${name}`)).data.toString("utf8")));
  assert.deepEqual(data.sort(), ["host-a-1", "host-b-2"]);
  for (const name of contenders) assert.match(name, /^[0-9a-f]{32}__lock__\d{10}$/);
  assert.equal(second.leading, false);
  const lines = await listener.linesUntilMarker(client);
  assert.ok(lines.includes(ready("a", 0)));
  assert.ok(lines.includes("nodepool.nodes.aborted:0|g"));
  assert.ok(!lines.some((line) => line.startsWith("nodepool.provider.b.")));
});

test("when the leader stops, the next contender takes over and reports", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const first = worker(t, zk, client, new MemoryView([{ providerName: "a", supportedLabels: [] }]));
  await waitFor("the first worker to lead", () => first.leading);
  const second = worker(t, await connectAnother(), client, new MemoryView([{ providerName: "b", supportedLabels: [] }]));
  await listener.waitForLines([ready("a", 0)]);
  await first.stop();
  await listener.waitForLines([ready("b", 0)]);
  assert.equal(second.leading, true);
  assert.equal((await zk.client.getChildren(ELECTION)).length, 1);
});

test("a leader whose session expires stops reporting; the other takes over and it re-enters the election", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const viewA = new MemoryView([{ providerName: "a", supportedLabels: [] }]);
  const first = worker(t, zk, client, viewA);
  await waitFor("the first worker to lead", () => first.leading);
  const other = await connectAnother();
  const second = worker(t, other, client, new MemoryView([{ providerName: "b", supportedLabels: [] }]));
  await waitFor("two contenders", async () => (await other.client.getChildren(ELECTION)).length === 2);
  await expireSession(zk.client);
  await listener.waitForLines([ready("b", 0)]);
  assert.equal(second.leading, true);
  await waitFor("the first worker to stand again", async () => !first.leading && (await other.client.getChildren(ELECTION)).length === 2, 15_000);
  const from = listener.datagrams.length;
  viewA.set([{ state: "ready", provider: "a", type: [] }]);
  const lines = await listener.linesUntilMarker(client, from);
  assert.ok(!lines.some((line) => line.startsWith("nodepool.provider.a.")), "the former leader must not report");
});

test("changes are reported debounced: reports at least minIntervalMs apart, the last one current", async (t) => {
  const { zk } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const view = new MemoryView([{ providerName: "p", supportedLabels: ["small"] }]);
  worker(t, zk, client, view, { minIntervalMs: 300 });
  await listener.waitForLines([ready("p", 0)]);
  for (let count = 1; count <= 40; count++) {
    view.set(Array.from({ length: count }, () => ({ state: "ready" as const, provider: "p", type: ["small"] })));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await listener.waitForLines([ready("p", 40), "nodepool.label.small.nodes.ready:40|g"]);
  const reports = listener.datagrams.filter((d) => d.lines.some((line) => line.startsWith("nodepool.nodes.ready:")));
  assert.ok(reports.length <= 3, `${reports.length} reports for 40 changes`);
  for (let i = 1; i < reports.length; i++) {
    const gap = (reports[i]?.at ?? 0) - (reports[i - 1]?.at ?? 0);
    assert.ok(gap >= 250, `reports ${gap.toFixed(0)} ms apart`);
  }
});

test("without changes the leader still reports every refreshIntervalMs", async (t) => {
  const { zk } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  worker(t, zk, client, new MemoryView([{ providerName: "p", supportedLabels: [] }]), { refreshIntervalMs: 150 });
  await listener.waitFor("three reports", (l) => l.datagramsWith(ready("p", 0)).length >= 3, 5000);
});
