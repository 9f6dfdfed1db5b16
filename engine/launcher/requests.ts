/**
 * Node requests as the reference handles them (behaviour.md §2.5–2.11): decline checks,
 * provider preference, reuse of ready nodes before launching, multi-node requests from one
 * pool, pausing at quota, fulfil/decline/fail. Pure decisions over one pass's context.
 */
import type { LauncherId, NodeId, RequestId } from "../zk/ids.ts";
import { MIN_READY_REQUESTOR } from "../zk/records/request.ts";
import {
  uploadKey,
  type Desired,
  type Handler,
  type LabelImage,
  type Observed,
  type ObservedNode,
  type ObservedRequest,
  type PoolDesired,
  type ProviderDesired,
} from "../reconcile/state.ts";
import { addResources, describeRoom, fitsAtAll, labelNeed, roomForOne, ZERO, type Usage } from "./quota.ts";

/** Mutable bookkeeping of one planning pass. */
export interface PassContext {
  desired: Desired;
  observed: Observed;
  now: number;
  pools: ReadonlyMap<string, PoolDesired>;
  providersByName: ReadonlyMap<string, ProviderDesired>;
  usage: Usage;
  /** Ready nodes already promised to some request in this pass. */
  claimed: Set<NodeId>;
  /** Pools holding a paused request: they take no new requests. */
  pausedPools: Set<string>;
  /** Node launches in progress, committed or decided, per provider (for max-concurrency). */
  launching: Map<string, number>;
  /** Labels of launches committed to for a request whose nodes are not observed yet. */
  committed: ReadonlyMap<RequestId, readonly string[]>;
  /** Ready, unallocated nodes by `<provider>-<pool>/<label>`, built on first use in a pass. */
  idle?: Map<string, ObservedNode[]>;
}

function idleNodes(ctx: PassContext, pool: PoolDesired, label: string): readonly ObservedNode[] {
  if (!ctx.idle) {
    const idle = new Map<string, ObservedNode[]>();
    for (const node of ctx.observed.nodes.values()) {
      if (node.state !== "ready" || node.allocatedTo !== null || node.provider === null || node.pool === null) continue;
      for (const l of node.type) {
        const key = `${node.provider}-${node.pool}/${l}`;
        const list = idle.get(key);
        if (list) list.push(node);
        else idle.set(key, [node]);
      }
    }
    ctx.idle = idle;
  }
  return ctx.idle.get(`${pool.key}/${label}`) ?? [];
}

/** Whether the image of a label is available in a provider (decline check 3, min-ready 2.13). */
export function imageAvailable(observed: Observed, provider: string, image: LabelImage): boolean {
  switch (image.kind) {
    case "none":
      return true;
    case "diskimage":
      return observed.readyUploads.has(uploadKey(image.diskimage, provider));
    case "cloud-image":
      return observed.providers.get(provider)?.cloudImages.has(image.cloudImage) ?? false;
  }
}

/** Why `pool` can never serve `request`, or null when it can (behaviour.md §2.6). */
export function declineReason(ctx: PassContext, pool: PoolDesired, request: ObservedRequest): string | null {
  if (pool.maxServers <= 0) return `pool ${pool.key} is disabled (max-servers ${pool.maxServers})`;
  const missing = request.nodeTypes.filter((label) => !pool.labels.has(label));
  if (missing.length > 0) return `node type(s) ${[...new Set(missing)].join(",")} not available in pool ${pool.key}`;
  const noImage = request.nodeTypes.filter((label) => !imageAvailable(ctx.observed, pool.provider, pool.labels.get(label)!));
  if (noImage.length > 0) return `images are not available for ${[...new Set(noImage)].join(",")} in ${pool.provider}`;
  const providerObserved = ctx.observed.providers.get(pool.provider);
  let need = ZERO;
  for (const label of request.nodeTypes) need = addResources(need, labelNeed(providerObserved, pool.name, label));
  if (!fitsAtAll(pool, providerObserved, need)) return `request would exceed the quota of pool ${pool.key}`;
  return null;
}

/** Provider preference (§2.5 step 6): yield while a launcher of the preferred provider may still take it. */
export function yieldsToPreferred(observed: Observed, pool: PoolDesired, request: ObservedRequest): boolean {
  if (request.provider === null || request.provider === pool.provider) return false;
  const preferred = observed.launchers.filter((l) => l.providerName === request.provider);
  return preferred.length > 0 && !preferred.every((l) => request.declinedBy.includes(l.id));
}

/** After adding `declinedBy`, has every registered launcher declined? Then the request fails. */
export function allDeclined(observed: Observed, request: ObservedRequest, declinedBy: readonly LauncherId[]): boolean {
  const declined = new Set<string>([...request.declinedBy, ...declinedBy]);
  return observed.launchers.every((l) => declined.has(l.id));
}

/** Labels of `request` not yet covered by `have`, as a multiset difference, in request order. */
export function missingLabels(request: ObservedRequest, have: readonly ObservedNode[]): string[] {
  const counts = new Map<string, number>();
  for (const node of have) for (const label of node.type.slice(0, 1)) counts.set(label, (counts.get(label) ?? 0) + 1);
  const missing: string[] = [];
  for (const label of request.nodeTypes) {
    const n = counts.get(label) ?? 0;
    if (n > 0) counts.set(label, n - 1);
    else missing.push(label);
  }
  return missing;
}

export interface Fill {
  assign: NodeId[];
  launch: string[];
  /** Labels with neither a reusable node nor room to launch. */
  unmet: string[];
  az: string | null;
}

/** A ready, unallocated node of this pool carrying `label`, free to take (§2.7 reuse). */
function reusable(ctx: PassContext, pool: PoolDesired, label: string, az: string | null): ObservedNode | undefined {
  for (const node of idleNodes(ctx, pool, label)) {
    if (ctx.claimed.has(node.id) || ctx.observed.heldNodes.has(node.id) || ctx.observed.busy.has(node.id)) continue;
    if (az !== null && node.az !== null && node.az !== az) continue;
    return node;
  }
  return undefined;
}

/**
 * The pool's zones, else the cloud's (§3.4); a deterministic choice among them, so the same
 * state always plans the same actions.
 */
function chooseAz(ctx: PassContext, pool: PoolDesired, request: ObservedRequest): string | null {
  const zones = pool.availabilityZones ?? ctx.observed.providers.get(pool.provider)?.availabilityZones ?? [];
  if (zones.length === 0) return null;
  let hash = 0;
  for (const c of request.id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return zones[hash % zones.length] ?? null;
}

/** Reuse, then launch, for each missing label (§2.7), updating the pass's usage and claims. */
export function fillRequest(ctx: PassContext, pool: PoolDesired, request: ObservedRequest, missing: readonly string[], az: string | null): Fill {
  const fill: Fill = { assign: [], launch: [], unmet: [], az };
  const provider = ctx.providersByName.get(pool.provider);
  const providerObserved = ctx.observed.providers.get(pool.provider);
  for (const label of missing) {
    if (request.reuse) {
      const node = reusable(ctx, pool, label, fill.az);
      if (node) {
        ctx.claimed.add(node.id);
        fill.assign.push(node.id);
        fill.az ??= node.az;
        continue;
      }
    }
    const need = labelNeed(providerObserved, pool.name, label);
    if (provider?.canLaunch && roomForOne(pool, providerObserved, ctx.usage, need)) {
      ctx.usage.add(pool, need);
      ctx.launching.set(pool.provider, (ctx.launching.get(pool.provider) ?? 0) + 1);
      fill.az ??= chooseAz(ctx, pool, request);
      fill.launch.push(label);
    } else {
      fill.unmet.push(label);
    }
  }
  return fill;
}

export const isMinReady = (request: ObservedRequest): boolean => request.requestor === MIN_READY_REQUESTOR;

/** Whether the provider may take another request now (max-concurrency, §2.5 step 2). */
export function concurrencyAllows(ctx: PassContext, provider: ProviderDesired): boolean {
  if (provider.maxConcurrency === 0) return false;
  if (provider.maxConcurrency < 0) return true;
  return (ctx.launching.get(provider.name) ?? 0) < provider.maxConcurrency;
}

export function pausedReason(ctx: PassContext, pool: PoolDesired): string {
  if (!ctx.providersByName.get(pool.provider)?.canLaunch) return `waiting for a free node of pool ${pool.key}`;
  return `no room: ${describeRoom(pool, ctx.usage)}`;
}

/** The oldest idle ready node of the pool, to delete while a request waits (§2.8), honouring the 300 s guard. */
export function reclaimCandidate(ctx: PassContext, pool: PoolDesired): ObservedNode | undefined {
  let oldest: ObservedNode | undefined;
  for (const node of ctx.observed.nodes.values()) {
    if (node.provider !== pool.provider || node.pool !== pool.name) continue;
    if (node.state === "deleting" && ctx.now - node.stateTime < RECLAIM_GUARD_S) return undefined;
    if (node.state !== "ready" || node.allocatedTo !== null) continue;
    if (ctx.claimed.has(node.id) || ctx.observed.heldNodes.has(node.id) || ctx.observed.busy.has(node.id)) continue;
    if (!oldest || node.stateTime < oldest.stateTime) oldest = node;
  }
  return oldest;
}

/** "Delete oldest unused node" guard (behaviour.md §2.8, Appendix A 3: the intended 300 s). */
export const RECLAIM_GUARD_S = 300;

export type { Handler };
