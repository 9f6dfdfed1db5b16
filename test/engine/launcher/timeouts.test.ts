import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { pino } from "pino";
import { fakeCloud, resetFakeClouds, type FakeCloud, type FakeServer } from "../../../engine/drivers/fake/index.ts";
import type { LaunchEvent } from "../../../engine/reconcile/events.ts";
import { attachLauncherStats, launcherNodeView } from "../../../engine/stats/launcher.ts";
import type { Launcher } from "../../../engine/launcher/launcher.ts";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { expireSession, waitFor, zkForTest } from "../../helpers/zk.ts";
import { clientFor, StatsListener } from "../stats/_statsd.ts";
import { config, requestState, startLauncher } from "./fixtures.ts";

type Line = Record<string, unknown> & { msg: string; err?: { message: string } };

/** A launcher whose log lines and launch events the test reads; `prepare` sets its cloud up first. */
async function logged(t: TestContext, providerKeys: Record<string, unknown>, prepare: (cloud: FakeCloud) => void = () => undefined) {
  resetFakeClouds();
  prepare(fakeCloud("fake-provider"));
  const { zk } = await zkForTest(t);
  const lines: Line[] = [];
  const log = pino({ level: "info" }, { write: (text: string) => void lines.push(JSON.parse(text) as Line) });
  const launcher = await startLauncher(t, zk, config({ providerKeys }), process.pid, { log });
  const launches: LaunchEvent[] = [];
  launcher.events.on("launch", (event) => launches.push(event));
  return { zk, lines, launches, launcher, cloud: fakeCloud("fake-provider") };
}

const request = () => newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" });

test("launch-timeout: each of launch-retries attempts fails, the request fails, and the node's log lines name the setting", async (t) => {
  const { zk, lines, launches, cloud } = await logged(t, { "launch-retries": 2, "launch-timeout": 1, "fake-cloud": { "boot-delay": 60 } });
  const submitted = await zk.submitNodeRequest(request(), 200);
  const done = await requestState(zk, submitted.id!, ["fulfilled", "failed"]);
  assert.equal(done.state, "failed");
  assert.equal(cloud.createCalls, 2);
  const attempts = lines.filter((l) => l.msg === "launch attempt failed");
  assert.deepEqual(
    attempts.map((l) => [l.request, l.result, l.attempt, l.attempts]),
    [
      [submitted.id, "error.status", 1, 2],
      [submitted.id, "error.status", 2, 2],
    ],
  );
  for (const line of attempts) assert.match(line.err?.message ?? "", /did not become ACTIVE within launch-timeout 1 s/);
  const node = attempts[0]?.node;
  assert.equal(attempts[1]?.node, node);
  const failed = await waitFor("the launch failure logged", () => lines.find((l) => l.msg === "node launch failed"));
  assert.deepEqual([failed.node, failed.request, failed.result], [node, submitted.id, "error.status"]);
  assert.deepEqual(
    launches.map((e) => e.result),
    ["error.status"],
  );
  await waitFor("both attempts' servers deleted", () => cloud.servers.size === 0);
});

test("boot-timeout: a server whose keyscan never answers fails as error.ssh, with the setting in the log line", async (t) => {
  const { zk, lines, cloud } = await logged(t, { "launch-retries": 1, "boot-timeout": 1, "fake-cloud": { "boot-delay": 0 } });
  cloud.holdKeyscans = true;
  const submitted = await zk.submitNodeRequest(request(), 200);
  assert.equal((await requestState(zk, submitted.id!, ["fulfilled", "failed"])).state, "failed");
  const attempt = lines.find((l) => l.msg === "launch attempt failed");
  assert.equal(attempt?.request, submitted.id);
  assert.equal(attempt?.result, "error.ssh");
  assert.match(attempt?.err?.message ?? "", /did not answer on fake:22 within boot-timeout 1 s/);
});

/** Statsd on a real UDP listener for the launcher, detached after `launcher.stop()` has run. */
async function statsFor(t: TestContext, launcher: Launcher, zk: NodepoolZk) {
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const stats = attachLauncherStats({ events: launcher.events, zk, log: pino({ level: "silent" }), client, view: launcherNodeView(launcher) });
  t.after(() => stats.stop());
  return { listener, client };
}

test("a launch in flight at a graceful stop is abandoned: logged with its ids, no launch failure, no launch metric, node left building with its server", async (t) => {
  const { zk, lines, launches, launcher, cloud } = await logged(t, {});
  const { listener, client } = await statsFor(t, launcher, zk);
  cloud.holdBuilds = true;
  const submitted = await zk.submitNodeRequest(request(), 200);
  const building = await waitFor("a building node", async () => (await zk.getNodes()).find((n) => n.state === "building"));
  await waitFor("the server created", () => cloud.servers.size === 1);
  // The cloud's limits are read whenever the launcher re-reads the provider.
  let asked = 0;
  const limits = cloud.limits;
  Object.defineProperty(cloud, "limits", { get: () => (asked++, limits), configurable: true });
  await launcher.stop();
  const abandoned = lines.find((l) => l.msg === "launch abandoned at shutdown");
  assert.deepEqual([abandoned?.node, abandoned?.request, abandoned?.provider], [building.id, submitted.id, "fake-provider"]);
  assert.equal(lines.filter((l) => l.msg === "node launch failed" || l.msg === "launch attempt failed").length, 0);
  assert.deepEqual(
    launches.map((e) => e.result),
    ["abandoned"],
  );
  assert.deepEqual((await listener.linesUntilMarker(client)).filter((line) => line.startsWith("nodepool.launch.")), []);
  const left = await zk.getNode(building.id!);
  assert.equal(left?.state, "building");
  assert.equal(left?.externalId, [...cloud.servers.keys()][0], "the server is recorded for the next launcher to delete");
  assert.equal(asked, 0, "no provider call while shutting down");
});

test("a launch cut off by a lost ZooKeeper session still counts as error.zksession", async (t) => {
  const { zk, launches, cloud } = await logged(t, {});
  cloud.holdBuilds = true;
  await zk.submitNodeRequest(request(), 200);
  await waitFor("the server created", () => cloud.servers.size === 1);
  await expireSession(zk.client);
  const launch = await waitFor("the launch to end", () => launches[0]);
  assert.equal(launch.result, "error.zksession");
});

test("a leaked server is logged with its provider and server id when it is scheduled for deletion", async (t) => {
  let leaked: FakeServer | undefined;
  const { lines, cloud } = await logged(t, {}, (cloud) => {
    leaked = cloud.addServer({ metadata: { nodepool_provider_name: "fake-provider", nodepool_node_id: "0000009999" } });
  });
  const line = await waitFor("the leak logged", () => lines.find((l) => l.msg === "leaked server scheduled for deletion"));
  assert.deepEqual([line.provider, line.server, line.level], ["fake-provider", leaked?.id, 30]);
  assert.match(String(line.reason), /0000009999/);
  await waitFor("the leaked server deleted", () => cloud.servers.size === 0);
});
