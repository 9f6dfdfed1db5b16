/**
 * plan(desired, observed, now) → Action[]: the one decision function of the launcher. Pure and
 * deterministic: the same inputs always give the same actions in the same order, so
 * `nodepool plan` shows exactly what the next pass would do and tests need no I/O.
 *
 * Order of a pass: requests this process holds (fulfil, decline, continue, abandon); malformed
 * request records (failed); new requests in priority order; min-ready; static hosts' records
 * (register, deregister, update); node lifecycle (deallocation, deletion — which waits briefly
 * while requests are served —, max-ready-age, hold expiry); periodic duties when due (lost
 * requests, empty znodes, leaked servers). An action whose object is backing off after failures
 * is marked with its next try (`retry`).
 */
import { holdDeadline, planHoldExpiry } from "../launcher/hold.ts";
import { planInventory } from "../launcher/inventory.ts";
import { planLeaks } from "../launcher/leaks.ts";
import { planMaxReadyAge, readyAgeDeadline } from "../launcher/max-ready-age.ts";
import { minReadyRetryAt, planMinReady } from "../launcher/min-ready.ts";
import { compareRequests } from "../zk/records/request.ts";
import { Usage, labelNeed, roomForOne } from "../launcher/quota.ts";
import {
  allDeclined,
  concurrencyAllows,
  declineReason,
  fillRequest,
  isMinReady,
  missingLabels,
  pausedReason,
  reclaimCandidate,
  yieldsToPreferred,
  type PassContext,
} from "../launcher/requests.ts";
import { initDeadline, planDeallocate, planDelete, requestsFirstDeadline } from "../launcher/deletion.ts";
import type { LauncherId, NodeId, RequestId } from "../zk/ids.ts";
import { keyOf, type Action } from "./actions.ts";
import type { Desired, Handler, Observed, ObservedNode, ObservedRequest, PoolDesired, ProviderDesired } from "./state.ts";

const IN_PROGRESS = new Set(["init", "building"]);

function context(desired: Desired, observed: Observed, now: number): PassContext {
  const pools = new Map<string, PoolDesired>();
  const providersByName = new Map<string, ProviderDesired>();
  for (const provider of desired.providers) {
    providersByName.set(provider.name, provider);
    for (const pool of provider.pools) pools.set(pool.key, pool);
  }
  const launching = new Map<string, number>();
  const launchingIn = (provider: string): void => void launching.set(provider, (launching.get(provider) ?? 0) + 1);
  for (const handler of observed.handlers.values()) {
    for (const id of handler.nodes) {
      const node = observed.nodes.get(id);
      if (node?.provider && IN_PROGRESS.has(node.state)) launchingIn(node.provider);
    }
  }
  const committed = new Map<RequestId, string[]>();
  for (const launch of observed.committed ?? []) {
    const pool = pools.get(launch.pool);
    if (pool) launchingIn(pool.provider);
    const labels = committed.get(launch.request);
    if (labels) labels.push(launch.label);
    else committed.set(launch.request, [launch.label]);
  }
  return {
    desired,
    observed,
    now,
    pools,
    providersByName,
    usage: new Usage(observed.nodes.values(), pools, observed.providers, observed.committed),
    claimed: new Set(),
    pausedPools: new Set(),
    launching,
    committed,
  };
}

/** Node ids in `node_types` order; for a repeated label, in the order they were obtained. */
function orderedNodes(request: ObservedRequest, nodes: readonly ObservedNode[]): NodeId[] {
  const left = [...nodes];
  const ordered: NodeId[] = [];
  for (const label of request.nodeTypes) {
    const i = left.findIndex((n) => n.type.includes(label));
    if (i < 0) continue;
    ordered.push(left[i]!.id);
    left.splice(i, 1);
  }
  return ordered;
}

function planPaused(ctx: PassContext, pool: PoolDesired, request: ObservedRequest, actions: Action[]): void {
  // A pool of existing hosts waits for one to be freed: no quota to pause at, nothing to reclaim,
  // and its other labels' requests go on being served (§3B.4).
  if (!ctx.providersByName.get(pool.provider)?.canLaunch) return;
  ctx.pausedPools.add(pool.key);
  const idle = reclaimCandidate(ctx, pool);
  if (!idle) return;
  ctx.claimed.add(idle.id);
  actions.push({
    kind: "reclaim",
    provider: pool.provider,
    request: request.id,
    pool: pool.key,
    node: idle.id,
    reason: `request ${request.id} waits for quota: delete the oldest idle node`,
  });
}

function planHandler(ctx: PassContext, handler: Handler, actions: Action[]): void {
  const { observed } = ctx;
  const pool = ctx.pools.get(handler.pool);
  const request = observed.requests.get(handler.request);
  const provider = pool?.provider ?? null;
  const declineAll = (request: ObservedRequest, reason: string, keep: boolean): void => {
    actions.push({
      kind: "decline",
      provider,
      request: request.id,
      declinedBy: pool ? [pool.launcherId] : [],
      fail: allDeclined(observed, request, pool ? [pool.launcherId] : []),
      release: keep ? [] : [...handler.nodes],
      keep: keep ? [...handler.nodes] : [],
      reason,
    });
  };
  // The executor writes a node into the cache as it creates it, so a handler's node missing from
  // the cache was deleted (or made unreadable) by someone else: a failed launch (§2.9 step 4).
  const present: ObservedNode[] = [];
  const vanished: NodeId[] = [];
  for (const id of handler.nodes) {
    const node = observed.nodes.get(id);
    if (node) present.push(node);
    else vanished.push(id);
  }
  const aborted = present.filter((n) => n.state === "aborted");
  const live = present.filter((n) => n.state !== "aborted");
  // Launches committed to but not created yet, or still running for a vanished record, end first.
  const committed = ctx.committed.get(handler.request) ?? [];
  const pending = live.some((n) => IN_PROGRESS.has(n.state)) || committed.length > 0 || vanished.some((id) => handler.launching?.has(id));
  if (!request) {
    // Launches finish first, so the nodes end ready and reusable (zookeeper.md §9 item 12).
    if (pending) return;
    actions.push({ kind: "abandon", provider, request: handler.request, nodes: [...handler.nodes], reason: "request deleted by its requestor" });
    return;
  }
  if (!pool) return declineAll(request, `pool ${handler.pool} is no longer configured`, false);
  const failed = live.some((n) => n.state !== "ready" && !IN_PROGRESS.has(n.state));
  if (failed || vanished.length > 0) {
    if (!pending) declineAll(request, failed ? "launch failed" : `node ${vanished.join(",")} vanished before the request was fulfilled`, true);
    return;
  }
  // Launches being carried out for it count as obtained: their nodes are on their way.
  const missing = withoutLabels(missingLabels(request, live), committed);
  if (missing.length === 0) {
    if (pending) return;
    actions.push({
      kind: "fulfil",
      provider,
      request: request.id,
      pool: pool.key,
      nodes: orderedNodes(request, live),
      reason: live.length > 0 ? `${live.length} node${live.length === 1 ? "" : "s"} ready` : "node_types is empty",
    });
    return;
  }
  // Labels still missing: a paused request, or replacements for aborted launches. Decline
  // checks are re-run first, so a config change that makes the request impossible declines it.
  const reason = declineReason(ctx, pool, request);
  if (reason) return declineAll(request, reason, false);
  const fill = fillRequest(ctx, pool, request, missing, handler.az);
  if (fill.unmet.length > 0 && isMinReady(request)) return declineAll(request, `min-ready request and ${pausedReason(ctx, pool)}`, false);
  if (fill.assign.length > 0 || fill.launch.length > 0 || aborted.length > 0) {
    actions.push({
      kind: "continue",
      provider,
      request: request.id,
      pool: pool.key,
      release: aborted.map((n) => n.id),
      assign: fill.assign,
      launch: fill.launch,
      az: fill.az,
      paused: fill.unmet.length > 0,
      reason: fill.unmet.length > 0 ? pausedReason(ctx, pool) : `${missing.length} node${missing.length === 1 ? "" : "s"} missing`,
    });
  }
  if (fill.unmet.length > 0) planPaused(ctx, pool, request, actions);
}

/** `labels` less one occurrence of each of `taken`. */
function withoutLabels(labels: readonly string[], taken: readonly string[]): string[] {
  const left = [...labels];
  for (const label of taken) {
    const i = left.indexOf(label);
    if (i >= 0) left.splice(i, 1);
  }
  return left;
}

/** Min-ready requests are declined, not paused, when there is no room (§2.7). */
function roomForAll(ctx: PassContext, pool: PoolDesired, request: ObservedRequest): boolean {
  if (!ctx.providersByName.get(pool.provider)?.canLaunch) return false;
  const providerObserved = ctx.observed.providers.get(pool.provider);
  return request.nodeTypes.every((label) => roomForOne(pool, providerObserved, ctx.usage, labelNeed(providerObserved, pool.name, label)));
}

function planRequest(ctx: PassContext, request: ObservedRequest, actions: Action[]): void {
  const declinedBy: LauncherId[] = [];
  const reasons: string[] = [];
  let provider: string | null = null;
  for (const providerDesired of ctx.desired.providers) {
    for (const pool of providerDesired.pools) {
      if (request.declinedBy.includes(pool.launcherId)) continue;
      if (yieldsToPreferred(ctx.observed, pool, request)) continue;
      if (ctx.pausedPools.has(pool.key) || !concurrencyAllows(ctx, providerDesired)) continue;
      let reason = declineReason(ctx, pool, request);
      if (!reason && isMinReady(request) && !roomForAll(ctx, pool, request)) reason = `min-ready request and ${pausedReason(ctx, pool)}`;
      if (reason) {
        declinedBy.push(pool.launcherId);
        reasons.push(reason);
        provider ??= pool.provider;
        continue;
      }
      const fill = fillRequest(ctx, pool, request, request.nodeTypes, null);
      const paused = fill.unmet.length > 0;
      actions.push({
        kind: "accept",
        provider: pool.provider,
        request: request.id,
        pool: pool.key,
        declinedBy,
        assign: fill.assign,
        launch: fill.launch,
        az: fill.az,
        paused,
        reason: paused
          ? pausedReason(ctx, pool)
          : `${request.requestor ?? "unknown requestor"} asks for ${request.nodeTypes.length > 0 ? request.nodeTypes.join(",") : "no nodes"}`,
      });
      if (paused) planPaused(ctx, pool, request, actions);
      return;
    }
  }
  if (declinedBy.length === 0) return;
  actions.push({
    kind: "decline",
    provider,
    request: request.id,
    declinedBy,
    fail: allDeclined(ctx.observed, request, declinedBy),
    release: [],
    keep: [],
    reason: reasons.join("; "),
  });
}

/** Actions that serve requests: while any is planned, fresh node deletions wait (deletion.ts). */
const REQUEST_WORK: ReadonlySet<Action["kind"]> = new Set(["accept", "continue", "fulfil", "decline", "reclaim"]);

export function plan(desired: Desired, observed: Observed, now: number): Action[] {
  const ctx = context(desired, observed, now);
  const actions: Action[] = [];
  const handled = [...observed.handlers.values()].sort((a, b) => (a.request < b.request ? -1 : a.request > b.request ? 1 : 0));
  for (const handler of handled) planHandler(ctx, handler, actions);
  const ours = desired.providers.flatMap((provider) => provider.pools.map((pool) => pool.launcherId));
  for (const [request, reason] of observed.malformedRequests ?? []) {
    if (ours.length > 0 && !observed.busy.has(request)) actions.push({ kind: "fail-malformed", provider: null, request, declinedBy: ours, reason });
  }
  const waiting: ObservedRequest[] = [];
  for (const request of observed.requests.values()) {
    // A request for no nodes is served too: the reference fulfils it with an empty node set.
    if (request.state !== "requested") continue;
    if (observed.handlers.has(request.id) || observed.busy.has(request.id)) continue;
    waiting.push(request);
  }
  for (const request of waiting.sort(compareRequests)) planRequest(ctx, request, actions);
  actions.push(...planMinReady(desired, observed, now));
  // Static hosts' records, after the requests so that nodes they claimed are left alone.
  const unavailable = { has: (id: string) => ctx.claimed.has(id as NodeId) || observed.heldNodes.has(id as NodeId) || observed.busy.has(id) };
  for (const [provider, inventory] of observed.inventories ?? []) {
    if (!ctx.providersByName.has(provider)) continue;
    actions.push(...planInventory({ provider, hosts: inventory.hosts, nodes: observed.nodes.values(), unavailable, registering: inventory.registering, deregistering: inventory.deregistering }));
  }
  const requestsFirst = ctx.pausedPools.size === 0 && (observed.handlers.size > 0 || actions.some((action) => REQUEST_WORK.has(action.kind)));
  for (const node of observed.nodes.values()) {
    const deallocate = planDeallocate(observed, node);
    if (deallocate) actions.push(deallocate);
    if (node.provider === null || !ctx.providersByName.has(node.provider) || ctx.claimed.has(node.id)) continue;
    const next = planDelete(observed, node, now, requestsFirst) ?? (observed.heldNodes.has(node.id) || observed.busy.has(node.id) ? null : (planMaxReadyAge(desired, node, now) ?? planHoldExpiry(desired, node, now)));
    if (next) actions.push(next);
  }
  if (observed.cleanupDue) {
    for (const request of observed.requests.values()) {
      if (request.state === "pending" && !observed.handlers.has(request.id) && !observed.busy.has(request.id)) {
        actions.push({ kind: "reset-lost-request", provider: null, request: request.id, reason: "pending but nobody holds its lock" });
      }
    }
    for (const node of observed.emptyNodes) {
      actions.push({ kind: "remove-empty-node", provider: null, node, reason: "node znode without data" });
    }
    for (const provider of desired.providers) {
      const servers = observed.providers.get(provider.name)?.servers;
      if (servers) actions.push(...planLeaks(provider.name, servers, observed.nodes));
    }
  }
  return withRetries(actions, observed, now);
}

/** Marks the actions whose object is backing off after failures: shown with their next try, not taken before it. */
function withRetries(actions: Action[], observed: Observed, now: number): Action[] {
  const waiting = observed.backoff;
  if (waiting === undefined || waiting.size === 0) return actions;
  return actions.map((action) => {
    const due = waiting.get(keyOf(action));
    return due === undefined || due.due <= now ? action : { ...action, retry: { at: due.due, failures: due.failures, error: due.reason } };
  });
}

/**
 * The earliest time after `now` a timed rule (max-ready-age, hold expiry, abandoned init, a
 * min-ready retry delay) comes due, or null. Rules already due whose object was busy are
 * retried by the retry interval.
 */
export function nextDeadline(desired: Desired, observed: Observed, now: number): number | null {
  const configured = new Set(desired.providers.map((p) => p.name));
  let next: number | null = null;
  const consider = (deadline: number | null): void => {
    if (deadline !== null && deadline > now && (next === null || deadline < next)) next = deadline;
  };
  // Runs every pass over every node: no allocation per node.
  for (const node of observed.nodes.values()) {
    if (node.provider === null || !configured.has(node.provider)) continue;
    consider(readyAgeDeadline(desired, node));
    consider(holdDeadline(desired, node));
    consider(initDeadline(node));
    consider(requestsFirstDeadline(node));
  }
  for (const label of observed.minReadyFailed?.keys() ?? []) consider(minReadyRetryAt(desired, observed, label, now));
  return next;
}
