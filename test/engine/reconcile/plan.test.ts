import assert from "node:assert/strict";
import { test } from "node:test";
import { describeAction, groupByProvider, type Action } from "../../../engine/reconcile/actions.ts";
import { nextDeadline, plan } from "../../../engine/reconcile/plan.ts";
import type { Desired, Handler, Observed, ObservedNode, ObservedRequest, PoolDesired } from "../../../engine/reconcile/state.ts";
import type { ServerId } from "../../../engine/drivers/driver.ts";
import { asLauncherId, asNodeId, asRequestId, type RequestId } from "../../../engine/zk/ids.ts";
import { newNode, type NodeRecord } from "../../../engine/zk/records/node.ts";

const NOW = 1_000_000;
const LAUNCHER = asLauncherId("host-1-PoolWorker.p1-main");
const flavor = { cores: 4, instances: 1, ram: 8192 };

function pool(overrides: Partial<PoolDesired> = {}): PoolDesired {
  return {
    provider: "p1",
    name: "main",
    key: "p1-main",
    launcherId: LAUNCHER,
    maxServers: Infinity,
    maxCores: Infinity,
    maxRam: Infinity,
    ignoreProviderQuota: false,
    availabilityZones: ["az1"],
    labels: new Map([
      ["small", { kind: "diskimage", diskimage: "img" }],
      ["big", { kind: "diskimage", diskimage: "img" }],
    ]),
    ...overrides,
  };
}

function desired(
  options: { pool?: Partial<PoolDesired>; minReady?: number; maxReadyAge?: number; maxHoldAge?: number; maxConcurrency?: number; minReadyRetryDelay?: number } = {},
): Desired {
  return {
    providers: [{ name: "p1", maxConcurrency: options.maxConcurrency ?? -1, canLaunch: true, pools: [pool(options.pool)] }],
    labels: new Map([
      ["small", { name: "small", minReady: options.minReady ?? 0, maxReadyAge: options.maxReadyAge ?? 0 }],
      ["big", { name: "big", minReady: 0, maxReadyAge: 0 }],
    ]),
    maxHoldAge: options.maxHoldAge ?? 0,
    ...(options.minReadyRetryDelay === undefined ? {} : { minReadyRetryDelay: options.minReadyRetryDelay }),
  };
}

let seq = 0;
function node(fields: Partial<NodeRecord> = {}): ObservedNode {
  const id = asNodeId(String(seq++).padStart(10, "0"));
  return { ...newNode({ state: "ready", provider: "p1", pool: "main", type: ["small"], az: "az1", ...fields }, NOW - 10), ...fields, id };
}

function request(id: string, fields: Partial<ObservedRequest> = {}): ObservedRequest {
  return {
    id: asRequestId(id),
    state: "requested",
    stateTime: NOW - 1,
    nodeTypes: ["small"],
    nodes: [],
    declinedBy: [],
    reuse: true,
    requestor: "zuul",
    provider: null,
    relativePriority: 0,
    extra: {},
    ...fields,
  };
}

type Parts = Partial<Omit<Observed, "nodes" | "requests" | "handlers" | "heldNodes" | "busy">> & {
  nodes?: ObservedNode[];
  requests?: ObservedRequest[];
  handlers?: Handler[];
  held?: string[];
  busy?: string[];
};

function observed(parts: Parts = {}): Observed {
  return {
    nodes: new Map((parts.nodes ?? []).map((n) => [n.id, n])),
    requests: new Map((parts.requests ?? []).map((r) => [r.id, r])),
    launchers: parts.launchers ?? [registered(LAUNCHER, "p1")],
    readyUploads: parts.readyUploads ?? new Set(["img/p1"]),
    providers:
      parts.providers ??
      new Map([
        [
          "p1",
          {
            quota: { cores: 100, instances: 20, ram: 1_000_000 },
            labelResources: new Map([["main/small", flavor], ["main/big", flavor]]),
            cloudImages: new Set<string>(),
            availabilityZones: ["az1", "az2"],
            servers: null,
          },
        ],
      ]),
    handlers: new Map((parts.handlers ?? []).map((h) => [h.request, h])),
    heldNodes: new Set((parts.held ?? []).map(asNodeId)),
    busy: new Set(parts.busy ?? []),
    minReady: parts.minReady ?? new Map(),
    emptyNodes: parts.emptyNodes ?? [],
    cleanupDue: parts.cleanupDue ?? false,
    ...(parts.sweepDue === undefined ? {} : { sweepDue: parts.sweepDue }),
    ...(parts.committed === undefined ? {} : { committed: parts.committed }),
    ...(parts.minReadyFailed === undefined ? {} : { minReadyFailed: parts.minReadyFailed }),
    ...(parts.roomFreed === undefined ? {} : { roomFreed: parts.roomFreed }),
    ...(parts.inventories === undefined ? {} : { inventories: parts.inventories }),
    ...(parts.backoff === undefined ? {} : { backoff: parts.backoff }),
  };
}

const registered = (id: string, providerName: string) => ({ id: asLauncherId(id), providerName, supportedLabels: [], extra: {} });

const kinds = (actions: Action[]): string[] => actions.map((a) => a.kind);

test("min-ready asks for the missing nodes with a readable reason", () => {
  const actions = plan(desired({ minReady: 3 }), observed({ nodes: [node()] }), NOW);
  assert.deepEqual(kinds(actions), ["min-ready"]);
  assert.equal(describeAction(actions[0]!), "+ request 2 small nodes (min-ready 3, 1 ready: launch 2)");
});

test("min-ready waits for its outstanding requests and for an image", () => {
  const outstanding = observed({ minReady: new Map([["small", [asRequestId("100-0000000001")]]]), requests: [request("100-0000000001", { state: "pending" })] });
  assert.deepEqual(plan(desired({ minReady: 1 }), outstanding, NOW).filter((a) => a.kind === "min-ready"), []);
  assert.deepEqual(plan(desired({ minReady: 1 }), observed({ readyUploads: new Set() }), NOW), []);
});

test("a new request reuses a ready node before launching", () => {
  const ready = node();
  const actions = plan(desired(), observed({ nodes: [ready], requests: [request("200-0000000001", { nodeTypes: ["small", "small"] })] }), NOW);
  assert.equal(actions.length, 1);
  const accept = actions[0]!;
  assert.equal(accept.kind, "accept");
  if (accept.kind !== "accept") return;
  assert.deepEqual(accept.assign, [ready.id]);
  assert.deepEqual(accept.launch, ["small"]);
  assert.equal(accept.az, "az1");
  assert.equal(accept.paused, false);
});

test("reuse: false never takes ready nodes", () => {
  const actions = plan(desired(), observed({ nodes: [node()], requests: [request("100-0000000001", { reuse: false, requestor: "NodePool:min-ready" })] }), NOW);
  const accept = actions[0]!;
  assert.ok(accept.kind === "accept" && accept.assign.length === 0 && accept.launch.length === 1);
});

test("an unknown label is declined, and failed when every launcher declined", () => {
  const actions = plan(desired(), observed({ requests: [request("200-0000000001", { nodeTypes: ["zorky-zumba"] })] }), NOW);
  assert.deepEqual(kinds(actions), ["decline"]);
  const decline = actions[0]!;
  assert.ok(decline.kind === "decline" && decline.fail && decline.declinedBy[0] === LAUNCHER);
  assert.match(decline.reason, /zorky-zumba not available/);
  const other = observed({
    requests: [request("200-0000000001", { nodeTypes: ["zorky-zumba"] })],
    launchers: [registered(LAUNCHER, "p1"), registered("fake-1", "other")],
  });
  const stays = plan(desired(), other, NOW)[0]!;
  assert.ok(stays.kind === "decline" && !stays.fail);
});

test("a disabled pool declines and launches nothing; max-concurrency 0 takes nothing", () => {
  const disabled = plan(desired({ pool: { maxServers: 0 }, minReady: 1 }), observed({ requests: [request("200-0000000001")] }), NOW);
  assert.ok(disabled.some((a) => a.kind === "decline" && /disabled/.test(a.reason)));
  assert.ok(!disabled.some((a) => a.kind === "accept"));
  assert.deepEqual(plan(desired({ maxConcurrency: 0 }), observed({ requests: [request("200-0000000001")] }), NOW), []);
});

test("a request larger than the pool can ever hold is declined; one that only lacks room pauses", () => {
  const tooBig = plan(desired({ pool: { maxServers: 1 } }), observed({ requests: [request("200-0000000001", { nodeTypes: ["small", "small"] })] }), NOW);
  assert.ok(tooBig[0]?.kind === "decline" && /exceed the quota/.test(tooBig[0].reason));
  const busyNode = node({ state: "in-use", allocatedTo: asRequestId("200-0000000000") });
  const idle = node({ type: ["big"], stateTime: NOW - 1000 });
  const actions = plan(desired({ pool: { maxServers: 2 } }), observed({ nodes: [busyNode, idle], requests: [request("200-0000000001")], busy: [busyNode.id] }), NOW);
  assert.deepEqual(kinds(actions), ["accept", "reclaim"]);
  assert.ok(actions[0]?.kind === "accept" && actions[0].paused);
  assert.match(describeAction(actions[0]!), /max-servers 2, 2 in use/);
  assert.ok(actions[1]?.kind === "reclaim" && actions[1].node === idle.id);
});

test("a paused pool takes no other request; requests are served in priority order", () => {
  const requests = [
    request("300-0000000001"),
    request("100-0000000004", { relativePriority: 5 }),
    request("100-0000000003", { relativePriority: 1 }),
    request("099-0000000005"),
  ];
  const actions = plan(desired({ pool: { maxServers: 2 } }), observed({ requests }), NOW);
  assert.deepEqual(
    actions.map((a) => (a.kind === "accept" ? `${a.request}:${a.paused}` : a.kind)),
    ["099-0000000005:false", "100-0000000003:false", "100-0000000004:true"],
  );
});

test("a min-ready request at capacity is declined rather than paused", () => {
  const full = node({ state: "in-use" });
  const actions = plan(desired({ pool: { maxServers: 1 } }), observed({ nodes: [full], requests: [request("100-0000000001", { requestor: "NodePool:min-ready", reuse: false })] }), NOW);
  assert.ok(actions[0]?.kind === "decline" && actions[0].fail);
});

test("provider preference: yield while a launcher of the preferred provider has not declined", () => {
  const launchers = [registered(LAUNCHER, "p1"), registered("x-PoolWorker.p2-main", "p2")];
  const preferring = request("200-0000000001", { provider: "p2" });
  assert.deepEqual(plan(desired(), observed({ launchers, requests: [preferring] }), NOW), []);
  const declined = request("200-0000000001", { provider: "p2", declinedBy: [asLauncherId("x-PoolWorker.p2-main")] });
  assert.equal(plan(desired(), observed({ launchers, requests: [declined] }), NOW)[0]?.kind, "accept");
  const offline = request("200-0000000001", { provider: "missing" });
  assert.equal(plan(desired(), observed({ requests: [offline] }), NOW)[0]?.kind, "accept");
});

function handled(id: RequestId, nodes: ObservedNode[]): Parts {
  return { handlers: [{ request: id, pool: "p1-main", nodes: nodes.map((n) => n.id), az: "az1" }], held: nodes.map((n) => n.id) };
}

test("a held request is fulfilled with its nodes in node_types order once all are ready", () => {
  const id = asRequestId("200-0000000001");
  const big = node({ type: ["big"], allocatedTo: id });
  const small = node({ allocatedTo: id });
  const req = request(id, { state: "pending", nodeTypes: ["small", "big"] });
  const actions = plan(desired(), observed({ nodes: [big, small], requests: [req], ...handled(id, [big, small]) }), NOW);
  assert.deepEqual(kinds(actions), ["fulfil"]);
  assert.ok(actions[0]?.kind === "fulfil" && actions[0].nodes.join() === [small.id, big.id].join());
  const building = node({ state: "building", allocatedTo: id, type: ["big"] });
  assert.deepEqual(plan(desired(), observed({ nodes: [building, small], requests: [req], ...handled(id, [building, small]) }), NOW), []);
});

test("a failed launch declines the request, keeping the ready nodes allocated", () => {
  const id = asRequestId("200-0000000001");
  const failed = node({ state: "failed", allocatedTo: id, type: ["big"] });
  const ready = node({ allocatedTo: id });
  const req = request(id, { state: "pending", nodeTypes: ["small", "big"] });
  const actions = plan(desired(), observed({ nodes: [failed, ready], requests: [req], ...handled(id, [failed, ready]) }), NOW);
  assert.deepEqual(kinds(actions), ["decline"]);
  assert.ok(actions[0]?.kind === "decline" && actions[0].keep.length === 2 && actions[0].release.length === 0 && actions[0].fail);
});

test("an aborted launch is released and replaced; a deleted request abandons its nodes", () => {
  const id = asRequestId("200-0000000001");
  const aborted = node({ state: "aborted", allocatedTo: id });
  const req = request(id, { state: "pending" });
  const actions = plan(desired(), observed({ nodes: [aborted], requests: [req], ...handled(id, [aborted]) }), NOW);
  assert.ok(actions[0]?.kind === "continue" && actions[0].release[0] === aborted.id && actions[0].launch[0] === "small");
  const gone = plan(desired(), observed({ nodes: [aborted], ...handled(id, [aborted]) }), NOW);
  assert.ok(gone[0]?.kind === "abandon" && gone[0].nodes[0] === aborted.id);
});

test("a node record deleted before fulfilment is a failed launch: the request is declined once its launches end", () => {
  const id = asRequestId("200-0000000001");
  const ready = node({ allocatedTo: id });
  const gone = asNodeId("0000009999");
  const req = request(id, { state: "pending", nodeTypes: ["small", "small"] });
  const handler = { request: id, pool: "p1-main", nodes: [ready.id, gone], az: "az1" };
  const actions = plan(desired(), observed({ nodes: [ready], requests: [req], handlers: [handler], held: [ready.id, gone] }), NOW);
  assert.deepEqual(kinds(actions), ["decline"]);
  const decline = actions[0]!;
  assert.ok(decline.kind === "decline" && decline.fail && decline.release.length === 0);
  assert.deepEqual(decline.kind === "decline" && decline.keep, [ready.id, gone]);
  assert.equal(describeAction(decline), `~ fail request ${id} (node ${gone} vanished before the request was fulfilled)`);
  // Its launch still running, or a launch committed to for the request: wait for them.
  const launching = { ...handler, launching: new Set([gone]) };
  assert.deepEqual(plan(desired(), observed({ nodes: [ready], requests: [req], handlers: [launching] }), NOW), []);
  const committed = [{ request: id, pool: "p1-main", label: "small" }];
  assert.deepEqual(plan(desired(), observed({ nodes: [ready], requests: [req], handlers: [handler], committed }), NOW), []);
  // Its requestor deleted it too: the nodes left are freed.
  const abandoned = plan(desired(), observed({ nodes: [ready], handlers: [handler] }), NOW);
  assert.ok(abandoned[0]?.kind === "abandon" && abandoned[0].nodes.includes(ready.id));
});

test("a request for no nodes is accepted, then fulfilled with an empty node list", () => {
  const id = asRequestId("200-0000000001");
  const accepted = plan(desired(), observed({ requests: [request(id, { nodeTypes: [] })] }), NOW);
  assert.deepEqual(kinds(accepted), ["accept"]);
  assert.equal(describeAction(accepted[0]!), `~ accept request ${id} in pool p1-main (zuul asks for no nodes)`);
  const held = observed({ requests: [request(id, { nodeTypes: [], state: "pending" })], ...handled(id, []) });
  assert.deepEqual(plan(desired(), held, NOW).map(describeAction), [`~ fulfil request ${id} with no nodes (node_types is empty)`]);
});

test("max-ready-age and hold expiry mark nodes deleting with their reasons", () => {
  const old = node({ stateTime: NOW - 3600 });
  const aged = plan(desired({ maxReadyAge: 3600 }), observed({ nodes: [old] }), NOW);
  assert.equal(describeAction(aged[0]!), `- delete node ${old.id} (max-ready-age 1h exceeded: delete)`);
  const held = node({ state: "hold", stateTime: NOW - 5, holdExpiration: 5 });
  const expiring = plan(desired({ maxHoldAge: 10 }), observed({ nodes: [held] }), NOW);
  assert.match(describeAction(expiring[0]!), /hold_expiration 5s exceeded/);
  const capped = node({ state: "hold", stateTime: NOW - 10, holdExpiration: 180 });
  assert.match(describeAction(plan(desired({ maxHoldAge: 10 }), observed({ nodes: [capped] }), NOW)[0]!), /max-hold-age 10s/);
  const forever = node({ state: "hold", stateTime: NOW - 1e6, holdExpiration: 0 });
  assert.deepEqual(plan(desired(), observed({ nodes: [forever] }), NOW), []);
  assert.equal(nextDeadline(desired({ maxHoldAge: 10 }), observed({ nodes: [node({ state: "hold", stateTime: NOW })] }), NOW), NOW + 10);
});

test("used nodes are deleted unless someone holds them; orphaned allocations are released", () => {
  const used = node({ state: "used" });
  const inUse = node({ state: "in-use" });
  const orphan = node({ allocatedTo: asRequestId("MISSING") });
  const foreign = node({ state: "used", provider: "elsewhere" });
  const actions = plan(desired(), observed({ nodes: [used, inUse, orphan, foreign], busy: [inUse.id] }), NOW);
  assert.deepEqual(
    actions.map((a) => `${a.kind}:${"node" in a ? a.node : ""}`),
    [`delete-node:${used.id}`, `deallocate:${orphan.id}`],
  );
});

test("an object backing off after failures is planned with its next try, which a pass does not take early", () => {
  const failing = node({ state: "used" });
  const other = node({ state: "used" });
  const backoff = new Map([[failing.id as string, { due: NOW + 4, failures: 3, reason: "Fake cloud: server deletion failed (injected)" }]]);
  const actions = plan(desired(), observed({ nodes: [failing, other], backoff }), NOW);
  assert.deepEqual(actions.find((a) => "node" in a && a.node === failing.id)?.retry, { at: NOW + 4, failures: 3, error: "Fake cloud: server deletion failed (injected)" });
  assert.equal(actions.find((a) => "node" in a && a.node === other.id)?.retry, undefined);
  assert.equal(
    describeAction(actions[0]!),
    `- delete node ${failing.id} [next try at ${new Date((NOW + 4) * 1000).toISOString()} after 3 failures: Fake cloud: server deletion failed (injected)] (node is used)`,
  );
  assert.equal(plan(desired(), observed({ nodes: [failing], backoff }), NOW + 4)[0]?.retry, undefined, "due: tried again");
});

test("between sweeps, ready nodes of vanished requests and in-use nodes are left to their requestor", () => {
  const inUse = node({ state: "in-use" });
  const orphan = node({ allocatedTo: asRequestId("MISSING") });
  const used = node({ state: "used" });
  const between = plan(desired(), observed({ nodes: [inUse, orphan, used], sweepDue: false }), NOW);
  assert.deepEqual(between.map((a) => `${a.kind}:${"node" in a ? a.node : ""}`), [`delete-node:${used.id}`]);
  const sweep = plan(desired(), observed({ nodes: [inUse, orphan, used], sweepDue: true }), NOW);
  assert.deepEqual(
    sweep.map((a) => `${a.kind}:${"node" in a ? a.node : ""}`),
    [`delete-node:${inUse.id}`, `deallocate:${orphan.id}`, `delete-node:${used.id}`],
  );
});

test("periodic duties: lost requests, empty znodes, leaked servers", () => {
  const live = node({ externalId: "s-live" });
  const server = (id: string, metadata: Record<string, string>) => ({
    id: id as ServerId,
    name: id,
    status: "ACTIVE" as const,
    metadata,
    az: null,
    resources: flavor,
  });
  const servers = [
    server("s-live", { nodepool_provider_name: "p1", nodepool_node_id: live.id }),
    server("s-leak", { nodepool_provider_name: "p1", nodepool_node_id: "0000099999" }),
    server("s-other", { nodepool_provider_name: "p2", nodepool_node_id: "0000099998" }),
    server("s-noid", { nodepool_provider_name: "p1" }),
  ];
  const o = observed({
    nodes: [live],
    requests: [request("200-0000000001", { state: "pending" })],
    emptyNodes: [asNodeId("0000012345")],
    cleanupDue: true,
    providers: new Map([["p1", { quota: { cores: 100, instances: 20, ram: 1e6 }, labelResources: new Map(), cloudImages: new Set<string>(), availabilityZones: [], servers }]]),
  });
  const actions = plan(desired(), o, NOW);
  assert.deepEqual(kinds(actions), ["reset-lost-request", "remove-empty-node", "leaked-server"]);
  assert.ok(actions[2]?.kind === "leaked-server" && actions[2].server === "s-leak");
  assert.deepEqual([...groupByProvider(actions).keys()], [null, "p1"]);
});

test("plan is deterministic", () => {
  const o = observed({ nodes: [node(), node({ state: "used" })], requests: [request("200-0000000001"), request("200-0000000002", { nodeTypes: ["big"] })] });
  assert.deepEqual(plan(desired({ minReady: 2 }), o, NOW), plan(desired({ minReady: 2 }), o, NOW));
});

test("several launchers: only the lowest registered launcher offering a label tops it up", () => {
  const launchers = [
    { ...registered(LAUNCHER, "p1"), supportedLabels: ["small"] },
    { ...registered("a-0-PoolWorker.p9-main", "p9"), supportedLabels: ["small"] },
  ];
  assert.deepEqual(plan(desired({ minReady: 1 }), observed({ launchers }), NOW), []);
  const others = [launchers[0]!, { ...registered("z-0-PoolWorker.p9-main", "p9"), supportedLabels: ["small"] }];
  assert.equal(plan(desired({ minReady: 1 }), observed({ launchers: others }), NOW)[0]?.kind, "min-ready");
});

test("a pool without availability-zones launches in one of the cloud's zones", () => {
  const actions = plan(desired({ pool: { availabilityZones: null } }), observed({ requests: [request("200-0000000001")] }), NOW);
  const accept = actions[0]!;
  assert.ok(accept.kind === "accept" && (accept.az === "az1" || accept.az === "az2"));
});

/** What each request got in a pass: `<request>:<launches>` plus `:paused`. */
const accepts = (actions: Action[]): string[] =>
  actions.flatMap((a) => (a.kind === "accept" || a.kind === "continue" ? [`${a.request}:${a.launch.length}${a.paused ? ":paused" : ""}`] : []));

const burst = (n: number): ObservedRequest[] => Array.from({ length: n }, (_, i) => request(`200-000000000${i + 1}`));

test("one pass never plans a burst past max-servers, max-cores, max-ram or the cloud's quota", () => {
  const limited: Array<[string, Desired, Observed]> = [
    ["max-servers 2", desired({ pool: { maxServers: 2 } }), observed({ requests: burst(4) })],
    ["max-cores 8", desired({ pool: { maxCores: 8 } }), observed({ requests: burst(4) })],
    ["max-ram 16384", desired({ pool: { maxRam: 16384 } }), observed({ requests: burst(4) })],
    [
      "cloud instances 2",
      desired(),
      observed({
        requests: burst(4),
        providers: new Map([["p1", { quota: { cores: Infinity, instances: 2, ram: Infinity }, labelResources: new Map([["main/small", flavor]]), cloudImages: new Set<string>(), availabilityZones: [], servers: null }]]),
      }),
    ],
  ];
  for (const [what, d, o] of limited) {
    assert.deepEqual(accepts(plan(d, o, NOW)), ["200-0000000001:1", "200-0000000002:1", "200-0000000003:0:paused"], what);
  }
});

test("launches committed in earlier passes and not yet node records count against every limit", () => {
  const earlier = asRequestId("200-0000000001");
  const committed = [
    { request: earlier, pool: "p1-main", label: "small" },
    { request: earlier, pool: "p1-main", label: "small" },
  ];
  const held: Handler = { request: earlier, pool: "p1-main", nodes: [], az: "az1" };
  const state = (extra: Parts = {}): Observed =>
    observed({ requests: [request(earlier, { state: "pending", nodeTypes: ["small", "small"] }), request("200-0000000002")], handlers: [held], committed, ...extra });
  for (const limit of [{ maxServers: 2 }, { maxCores: 8 }, { maxRam: 16384 }]) {
    const actions = plan(desired({ pool: limit }), state(), NOW);
    // The handler whose launches are under way plans nothing; the new request waits.
    assert.deepEqual(accepts(actions), ["200-0000000002:0:paused"], JSON.stringify(limit));
  }
  assert.deepEqual(accepts(plan(desired({ pool: { maxServers: 3 } }), state(), NOW)), ["200-0000000002:1"]);
  // max-concurrency counts them too.
  assert.deepEqual(plan(desired({ maxConcurrency: 2 }), state(), NOW), []);
});

test("a failed min-ready request holds its label back for the retry delay, or until room appears", () => {
  const failedAt = NOW - 4;
  const failed = { minReadyFailed: new Map([["small", failedAt]]) };
  const minReady = (d: Desired, o: Observed, now = NOW) => plan(d, o, now).filter((a) => a.kind === "min-ready").length;
  assert.equal(minReady(desired({ minReady: 1 }), observed(failed)), 0);
  assert.equal(nextDeadline(desired({ minReady: 1 }), observed(failed), NOW), failedAt + 10);
  assert.equal(minReady(desired({ minReady: 1 }), observed(failed), failedAt + 10), 1);
  assert.equal(minReady(desired({ minReady: 1, minReadyRetryDelay: 2 }), observed(failed)), 1);
  assert.equal(nextDeadline(desired({ minReady: 1, minReadyRetryDelay: 2 }), observed(failed), NOW), null);
  assert.equal(minReady(desired({ minReady: 1 }), observed({ ...failed, roomFreed: new Map([["p1-main", failedAt - 1]]) })), 0);
  assert.equal(minReady(desired({ minReady: 1 }), observed({ ...failed, roomFreed: new Map([["p1-main", failedAt + 1]]) })), 1);
});

test("a min-ready request that failed is completed as failed; one fulfilled is not", () => {
  const failed = request("100-0000000001", { state: "failed", requestor: "NodePool:min-ready" });
  const fulfilled = request("100-0000000002", { state: "fulfilled", requestor: "NodePool:min-ready", nodes: [asNodeId("0000000001")] });
  const o = observed({ requests: [failed, fulfilled], minReady: new Map([["small", [failed.id, fulfilled.id]]]) });
  const done = plan(desired(), o, NOW).flatMap((a) => (a.kind === "min-ready-done" ? [`${a.request}:${a.failed}`] : []));
  assert.deepEqual(done, [`${failed.id}:true`, `${fulfilled.id}:false`]);
});

test("while requests are served, a node that just became deletable waits a second, unless a pool waits for room", () => {
  const fresh = node({ state: "used", stateTime: NOW - 0.5 });
  const old = node({ state: "used", stateTime: NOW - 2 });
  const deleted = (actions: Action[]): string[] => actions.flatMap((a) => (a.kind === "delete-node" ? [a.node] : []));
  const serving = observed({ nodes: [fresh, old], requests: [request("200-0000000001")] });
  assert.deepEqual(deleted(plan(desired(), serving, NOW)), [old.id]);
  assert.equal(nextDeadline(desired(), serving, NOW), NOW + 0.5, "the loop wakes when the wait ends");
  assert.deepEqual(deleted(plan(desired(), observed({ nodes: [fresh, old] }), NOW)), [fresh.id, old.id], "no request: at once");
  // At max-servers the request waits for the room a deletion frees: nothing waits then.
  assert.deepEqual(deleted(plan(desired({ pool: { maxServers: 2 } }), serving, NOW)), [fresh.id, old.id]);
});

/** A pool of existing hosts (static): it reuses, never launches. */
function staticDesired(minReady = 0): Desired {
  const base = desired({ minReady, pool: { availabilityZones: null, labels: new Map([["small", { kind: "none" }], ["big", { kind: "none" }]]) } });
  return { ...base, providers: base.providers.map((p) => ({ ...p, canLaunch: false })) };
}

test("a static pool's request for a busy label waits without pausing the pool or reclaiming; its other labels are served", () => {
  const inUse = node({ state: "in-use", allocatedTo: asRequestId("100-0000000009") });
  const idleBig = node({ type: ["big"] });
  const actions = plan(staticDesired(), observed({ nodes: [inUse, idleBig], busy: [inUse.id], requests: [request("200-0000000001"), request("200-0000000002", { nodeTypes: ["big"] })] }), NOW);
  assert.deepEqual(kinds(actions), ["accept", "accept"]);
  const [waits, served] = actions;
  assert.ok(waits?.kind === "accept" && served?.kind === "accept");
  assert.equal(waits.paused, true);
  assert.match(waits.reason, /waiting for a free node of pool p1-main/);
  assert.deepEqual(waits.launch, []);
  assert.deepEqual(served.assign, [idleBig.id]);
});

test("min-ready requests for a static label are declined when no node is free", () => {
  const actions = plan(staticDesired(1), observed({ requests: [request("200-0000000001", { requestor: "NodePool:min-ready" })] }), NOW);
  assert.ok(actions.some((a) => a.kind === "decline" && a.request === "200-0000000001"), actions.map((a) => describeAction(a)).join("\n"));
});

test("static hosts' records are planned from the observed inventory, after the requests that claimed nodes", () => {
  const claimed = node({ hostname: "h1", username: "zuul", connectionType: "ssh", connectionPort: 22 });
  const host = { name: "h1", pool: "main", labels: ["small"], slots: 2, username: "admin", connectionType: "ssh", port: 22, hostKeys: [], status: "up" as const, reason: null };
  const actions = plan(
    staticDesired(),
    observed({ nodes: [claimed], requests: [request("200-0000000001")], inventories: new Map([["p1", { hosts: [host], registering: new Map(), deregistering: new Set() }]]) }),
    NOW,
  );
  assert.deepEqual(actions.map((a) => describeAction(a)), [
    "~ accept request 200-0000000001 in pool p1-main: reuse " + claimed.id + " (zuul asks for small)",
    "+ register 1 node for host h1 in pool main (1 of max-parallel-jobs 2)",
  ]);
});
