import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { nodepoolConfigSchema, type NodepoolConfig } from "../../../schema/index.ts";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { Launcher } from "../../../engine/launcher/launcher.ts";
import { EngineEventEmitter } from "../../../engine/reconcile/events.ts";
import { createStatsClient } from "../../../engine/stats/client.ts";
import { attachLauncherStats, launcherNodeView } from "../../../engine/stats/launcher.ts";
import { asNodeId, asRequestId } from "../../../engine/zk/ids.ts";
import { NODE_STATES } from "../../../engine/zk/records/node.ts";
import { quietLogger, zkForTest } from "../../helpers/zk.ts";
import { clientFor, StatsListener } from "./_statsd.ts";
import { MemoryView } from "./_view.ts";

const launch = {
  provider: "cloud1",
  pool: "main",
  label: "small",
  az: "nova",
  image: null,
  requestor: "zuul.example.org",
  node: asNodeId("0000000007"),
  request: asRequestId("200-0000000003"),
  result: "error.status",
  reason: "server is ERROR, not ACTIVE",
  durationMs: 812,
} as const;

test("engine events become launch, leak and max_servers metrics, each event one datagram", async (t) => {
  const { zk } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const events = new EngineEventEmitter();
  const stats = attachLauncherStats({ events, zk, log: quietLogger, client, view: new MemoryView([]) });
  t.after(() => stats.stop());
  await listener.waitFor("the node gauges", (l) => l.lines.includes("nodepool.nodes.ready:0|g"));
  const from = listener.datagrams.length;
  events.emit("launch", launch);
  events.emit("leak", { provider: "cloud1", kind: "instances", count: 1 });
  events.emit("leak", { provider: "cloud1", kind: "ports", count: 0 });
  events.emit("leak", { provider: "cloud1", kind: "floatingips", count: 2 });
  events.emit("pool", { provider: "cloud1", pool: "main", maxServers: 10 });
  events.emit("pool", { provider: "cloud1", pool: "big", maxServers: Infinity });
  events.emit("pool", { provider: "cloud1", pool: "other", maxServers: 4 });
  await listener.linesUntilMarker(client, from);
  const received = listener.datagrams.slice(from, from + 6).map((d) => d.lines);
  assert.deepEqual(received, [
    [
      "nodepool.launch.provider.cloud1.error.status:812|ms",
      "nodepool.launch.provider.cloud1.error.status:1|c",
      "nodepool.launch.error.status:812|ms",
      "nodepool.launch.error.status:1|c",
      "nodepool.launch.provider.cloud1.nova.error.status:812|ms",
      "nodepool.launch.provider.cloud1.nova.error.status:1|c",
      "nodepool.launch.requestor.zuul_example_org.error.status:812|ms",
      "nodepool.launch.requestor.zuul_example_org.error.status:1|c",
    ],
    ["nodepool.provider.cloud1.leaked.instances:1|c"],
    ["nodepool.provider.cloud1.leaked.floatingips:2|c"],
    ["nodepool.provider.cloud1.max_servers:10|g"],
    ["nodepool.provider.cloud1.max_servers:10|g"],
    ["nodepool.provider.cloud1.max_servers:14|g"],
  ]);
  assert.ok(!listener.lines.some((line) => line.includes("leaked.ports")));
});

test("with statsd disabled nothing subscribes and the launcher stays out of the election", async (t) => {
  const { zk } = await zkForTest(t);
  const events = new EngineEventEmitter();
  const client = createStatsClient({ log: quietLogger, env: {} });
  const stats = attachLauncherStats({ events, zk, log: quietLogger, client, view: new MemoryView([]) });
  assert.equal(events.listenerCount("launch") + events.listenerCount("leak") + events.listenerCount("pool"), 0);
  assert.equal(await zk.client.exists("/nodepool/elections/stats"), null);
  await stats.stop();
});

test("after stop, events are no longer reported and the election is left", async (t) => {
  const { zk } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const events = new EngineEventEmitter();
  const stats = attachLauncherStats({ events, zk, log: quietLogger, client, view: new MemoryView([]) });
  await listener.waitFor("the node gauges", (l) => l.lines.includes("nodepool.nodes.ready:0|g"));
  await stats.stop();
  assert.deepEqual(await zk.client.getChildren("/nodepool/elections/stats"), []);
  const from = listener.datagrams.length;
  events.emit("launch", launch);
  assert.deepEqual(await listener.linesUntilMarker(client, from), []);
});

function fakeConfig(): NodepoolConfig {
  return nodepoolConfigSchema.parse({
    labels: [{ name: "cloud-label", "min-ready": 2 }, { name: "spare-label" }],
    providers: [
      {
        name: "fake-provider",
        driver: "fake",
        cloud: "fake",
        "region-name": "fake-region",
        "fake-cloud": { "boot-delay": 0 },
        "cloud-images": [{ name: "precise", "image-name": "Fake Precise" }],
        pools: [
          {
            name: "main",
            "max-servers": 96,
            "availability-zones": ["az1"],
            labels: [
              { name: "cloud-label", "cloud-image": "precise", "min-ram": 8192 },
              { name: "spare-label", "cloud-image": "precise", "min-ram": 8192 },
            ],
          },
        ],
      },
    ],
  });
}

async function runLauncher(t: TestContext): Promise<StatsListener> {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const launcher = new Launcher({ zk, config: fakeConfig(), log: quietLogger, identity: { hostname: "test", pid: 4242 } });
  const stats = attachLauncherStats({ events: launcher.events, zk, log: quietLogger, client, view: launcherNodeView(launcher) });
  t.after(async () => {
    await stats.stop();
    await launcher.stop();
  });
  await launcher.start();
  return listener;
}

test("a launcher filling min-ready reports its launches, max_servers and the node gauges", async (t) => {
  const listener = await runLauncher(t);
  await listener.waitForLines([
    "nodepool.provider.fake-provider.max_servers:96|g",
    "nodepool.launch.ready:1|c",
    "nodepool.launch.provider.fake-provider.ready:1|c",
    "nodepool.launch.provider.fake-provider.az1.ready:1|c",
    "nodepool.launch.requestor.NodePool_min-ready.ready:1|c",
  ]);
  assert.ok(listener.lines.some((line) => /^nodepool\.launch\.requestor\.NodePool_min-ready\.ready:\d+\|ms$/.test(line)));
  await listener.waitForLines(["nodepool.nodes.ready:2|g", "nodepool.provider.fake-provider.nodes.ready:2|g", "nodepool.label.cloud-label.nodes.ready:2|g"]);
  // One report: 11 states for the total, the provider and both advertised labels, in consecutive datagrams.
  const size = NODE_STATES.length * 4;
  const lastReport = (l: StatsListener): string[] => {
    const first = l.datagrams.findLastIndex((d) => d.lines.includes("nodepool.nodes.ready:2|g"));
    return l.datagrams.slice(first).flatMap((d) => d.lines).slice(0, size);
  };
  await listener.waitFor("a whole report", (l) => lastReport(l).length === size);
  const report = lastReport(listener);
  const expected: string[] = [];
  for (const prefix of ["nodepool.nodes", "nodepool.provider.fake-provider.nodes", "nodepool.label.cloud-label.nodes", "nodepool.label.spare-label.nodes"]) {
    for (const state of NODE_STATES) expected.push(`${prefix}.${state}:${state === "ready" && !prefix.includes("spare") ? 2 : 0}|g`);
  }
  assert.deepEqual([...report].sort(), expected.sort());
});
