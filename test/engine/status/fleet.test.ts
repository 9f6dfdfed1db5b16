import assert from "node:assert/strict";
import { test } from "node:test";
import { countNodes, NodeCounter, summariseFleet, summariseRequests, type FleetSource } from "../../../engine/status/fleet.ts";
import { pausedPools } from "../../../engine/launcher/fleet-source.ts";
import { asNodeId, asRequestId, newNode, newRequest, type NodeRecord } from "../../../engine/zk/index.ts";

const node = (id: string, fields: Partial<NodeRecord>): NodeRecord & { id: ReturnType<typeof asNodeId> } => ({ ...newNode({ pool: "main", ...fields }, 1000), id: asNodeId(id) });

test("the node counter follows additions, updates and removals and agrees with counting afresh", () => {
  const a = node("1", { state: "building", provider: "east", type: ["small"], resources: { cores: 2, instances: 1, ram: 2048 } });
  const b = node("2", { state: "ready", provider: "east", type: ["small", "big"] });
  const c = node("3", { state: "in-use", provider: null, type: ["small"] });
  const counter = new NodeCounter([a]);
  counter.apply({ kind: "added", id: "2", record: b });
  counter.apply({ kind: "added", id: "3", record: c });
  const aReady = { ...a, state: "ready" as const };
  counter.apply({ kind: "updated", id: "1", record: aReady, previous: a });
  counter.apply({ kind: "removed", id: "3", previous: c });
  const counts = counter.counts();
  assert.deepEqual(counts, countNodes([aReady, b]));
  assert.deepEqual(
    counts.groups.map((g) => `${g.provider}/${g.pool}/${g.label}/${g.state}=${g.count}`).sort(),
    ["east/main/small,big/ready=1", "east/main/small/ready=1"],
  );
  // A node without resources counts one instance.
  assert.deepEqual(counts.used.get("east"), { instances: 2, cores: 2, ram: 2048 });
});

test("requests: waiting ones counted, the oldest by Zuul's created_time, the queue in serving order", () => {
  const request = (id: string, state: "requested" | "pending" | "fulfilled", created: number, labels: string[]) => ({
    ...newRequest({ nodeTypes: labels, requestor: "zuul", extra: { created_time: created } }, 990),
    state,
    id: asRequestId(id),
  });
  const summary = summariseRequests(
    [request("200-0000000002", "requested", 950, ["small"]), request("100-0000000003", "pending", 980, ["small", "small"]), request("200-0000000001", "fulfilled", 900, ["big"])],
    1000,
    1,
  );
  assert.deepEqual(summary.byState, { requested: 1, pending: 1, fulfilled: 1, failed: 0 });
  assert.equal(summary.waiting, 2);
  assert.equal(summary.oldestWaitingAge, 50);
  assert.deepEqual(summary.queue.map((q) => q.id), ["100-0000000003"]);
  assert.deepEqual([...summary.waitingByLabel], [["small", 2]]);
});

test("the fleet summary keeps nodes of providers gone from the config, so the totals add up", () => {
  const nodes = [node("1", { state: "ready", provider: "east", type: ["small"] }), node("2", { state: "used", provider: "old-cloud", type: ["small"] })];
  const source: FleetSource = {
    nodeCounts: () => countNodes(nodes),
    requests: new Map(),
    images: { images: () => [], isPaused: () => false, builds: () => [], providers: () => [], uploads: () => [] },
    providers: () => [{ name: "east", ready: true, reason: null, limit: { instances: 10, cores: null, ram: null }, pools: [] }],
    recentEvents: () => [],
    onChange: () => () => undefined,
  };
  const summary = summariseFleet(source, 2000);
  assert.equal(summary.totals.total, 2);
  assert.deepEqual(summary.providers.map((p) => [p.name, p.ready, p.reason, p.nodes.total]), [
    ["east", true, null, 1],
    ["old-cloud", false, "not in the config", 1],
  ]);
  assert.deepEqual(summary.labels.map((l) => [l.name, l.byState.ready, l.byState.used]), [["small", 1, 1]]);
});

test("a pool is paused while it holds a request that misses nodes with none on the way", () => {
  const request = { ...newRequest({ nodeTypes: ["small", "small"] }), state: "pending" as const, id: asRequestId("200-0000000001") };
  const ready = node("1", { state: "ready", provider: "east", type: ["small"] });
  const observed = (launching: Set<ReturnType<typeof asNodeId>>, committed: { request: ReturnType<typeof asRequestId>; pool: string; label: string }[] = []) => ({
    handlers: new Map([[request.id, { request: request.id, pool: "east-main", nodes: [ready.id], az: null, launching }]]),
    requests: new Map([[request.id, request]]),
    nodes: new Map([[ready.id, ready]]),
    committed,
  });
  assert.deepEqual([...pausedPools(observed(new Set()))], ["east-main"]);
  assert.deepEqual([...pausedPools(observed(new Set([asNodeId("2")])))], []);
  assert.deepEqual([...pausedPools(observed(new Set(), [{ request: request.id, pool: "east-main", label: "small" }]))], []);
});
