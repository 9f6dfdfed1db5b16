/**
 * The fleet at a glance, as plain data: what the live status page shows and the Prometheus
 * gauges report, computed from a daemon's watched caches (never a ZooKeeper read). Aggregates,
 * not rows, so 10,000 nodes make a handful of counts. Pure functions of (source, now).
 */
import type { CacheChange } from "../zk/cache.ts";
import type { BuildState, ImageBuildRecord, ImageUploadRecord, UploadState } from "../zk/records/image.ts";
import { NODE_STATES, type NodeRecord, type NodeState } from "../zk/records/node.ts";
import { compareRequests, REQUEST_STATES, type NodeRequestRecord, type RequestState } from "../zk/records/request.ts";

/** Quota dimensions as the status shows them; ram in MiB; null where unlimited or unknown. */
export interface QuotaFigures {
  readonly instances: number | null;
  readonly cores: number | null;
  readonly ram: number | null;
}

export interface PoolStatus {
  readonly name: string;
  /** Null when unlimited. */
  readonly maxServers: number | null;
  /** Holds a request it cannot fill until room is freed: it takes no new ones. */
  readonly paused: boolean;
}

/** A configured provider as the launcher runs it. */
export interface ProviderStatus {
  readonly name: string;
  readonly ready: boolean;
  /** Why it is not ready; null when ready. */
  readonly reason: string | null;
  /** The cloud's limits less what nodepool does not manage. */
  readonly limit: QuotaFigures;
  readonly pools: readonly PoolStatus[];
}

/** The image tree as a watched cache holds it (engine/zk/caches.ts `ImageCache`). */
export interface ImageTree {
  images(): string[];
  isPaused(image: string): boolean;
  builds(image: string): ImageBuildRecord[];
  providers(image: string, build: NonNullable<ImageBuildRecord["id"]>): string[];
  uploads(image: string, build: NonNullable<ImageBuildRecord["id"]>, provider: string): ImageUploadRecord[];
}

/** Something that happened, for the page's recent events. */
export interface FleetEvent {
  /** Epoch seconds. */
  readonly at: number;
  readonly kind: "launch-failed" | "leak-removed";
  readonly provider: string | null;
  /** One line a person reads: what and why. */
  readonly text: string;
}

/** What a daemon's caches offer a view of the fleet. */
export interface FleetSource {
  /** The nodes counted (kept current as they change: see NodeCounter). */
  nodeCounts(): NodeCounts;
  readonly requests: ReadonlyMap<string, NodeRequestRecord>;
  readonly images: ImageTree;
  providers(): readonly ProviderStatus[];
  /** Newest last. */
  recentEvents(): readonly FleetEvent[];
  /** Subscribes to "something the view shows may have changed"; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export type StateCounts<S extends string> = Record<S, number>;

const zeroCounts = <S extends string>(states: readonly S[]): StateCounts<S> => Object.fromEntries(states.map((s) => [s, 0])) as StateCounts<S>;

/** A node's label as one value: the labels of a multi-label node joined, so each node counts once. */
export const nodeLabel = (node: Pick<NodeRecord, "type">): string => (node.type.length === 1 ? (node.type[0] as string) : node.type.join(","));

/** One group of nodes counted: by provider, pool, label and state. */
export interface NodeGroup {
  readonly provider: string;
  readonly pool: string;
  readonly label: string;
  readonly state: NodeState;
  readonly count: number;
}

export interface Resources {
  instances: number;
  cores: number;
  ram: number;
}

export interface NodeCounts {
  readonly groups: readonly NodeGroup[];
  /** Quota used per provider: each node's recorded resources (one instance when it has none). */
  readonly used: ReadonlyMap<string, Resources>;
}

const STATE_INDEX = new Map<NodeState, number>(NODE_STATES.map((state, i) => [state, i]));

/**
 * Nodes counted per (provider, pool, label, state), records without a provider or pool under
 * "", and the quota they use, kept current change by change (a watched cache's reports), so
 * reading the counts costs the number of groups, not the number of nodes.
 */
export class NodeCounter {
  private readonly tree = new Map<string, Map<string, Map<string, number[]>>>();
  private readonly used = new Map<string, Resources>();

  constructor(nodes: Iterable<NodeRecord> = []) {
    for (const node of nodes) this.count(node, 1);
  }

  /** Follows one change of a node cache. */
  apply(change: CacheChange<NodeRecord>): void {
    if (change.kind !== "added") this.count(change.previous, -1);
    if (change.kind !== "removed") this.count(change.record, 1);
  }

  counts(): NodeCounts {
    const groups: NodeGroup[] = [];
    for (const [provider, pools] of this.tree) {
      for (const [pool, labels] of pools) {
        for (const [label, counts] of labels) {
          counts.forEach((count, i) => {
            if (count > 0) groups.push({ provider, pool, label, state: NODE_STATES[i] as NodeState, count });
          });
        }
      }
    }
    const used = new Map<string, Resources>();
    for (const [provider, sum] of this.used) used.set(provider, { ...sum });
    return { groups, used };
  }

  private count(node: NodeRecord, sign: 1 | -1): void {
    const provider = node.provider ?? "";
    let pools = this.tree.get(provider);
    if (!pools) this.tree.set(provider, (pools = new Map()));
    const pool = node.pool ?? "";
    let labels = pools.get(pool);
    if (!labels) pools.set(pool, (labels = new Map()));
    const label = nodeLabel(node);
    let counts = labels.get(label);
    if (!counts) labels.set(label, (counts = new Array<number>(NODE_STATES.length).fill(0)));
    const index = STATE_INDEX.get(node.state) as number;
    counts[index] = (counts[index] as number) + sign;
    if (node.provider === null) return;
    let sum = this.used.get(provider);
    if (!sum) this.used.set(provider, (sum = { instances: 0, cores: 0, ram: 0 }));
    const resources = node.resources ?? {};
    sum.instances += sign * numberOr(resources.instances, 1);
    sum.cores += sign * numberOr(resources.cores, 0);
    sum.ram += sign * numberOr(resources.ram, 0);
  }
}

/** The counts of a set of nodes, at once. */
export function countNodes(nodes: Iterable<NodeRecord>): NodeCounts {
  return new NodeCounter(nodes).counts();
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** Requests not yet fulfilled or failed. */
export const isWaiting = (request: Pick<NodeRequestRecord, "state">): boolean => request.state === "requested" || request.state === "pending";

/** When a request was submitted: Zuul's `created_time`, else its state time (epoch seconds). */
export function submittedAt(request: Pick<NodeRequestRecord, "stateTime" | "extra">): number {
  const created = request.extra.created_time;
  return typeof created === "number" && Number.isFinite(created) ? created : request.stateTime;
}

export interface RequestSummary {
  readonly byState: StateCounts<RequestState>;
  readonly waiting: number;
  /** Seconds the oldest waiting request has waited; 0 when none waits. */
  readonly oldestWaitingAge: number;
  /** The first waiting requests in the order launchers serve them. */
  readonly queue: readonly QueuedRequest[];
  /** Waiting requests per requested label (a request counts once per label it asks for). */
  readonly waitingByLabel: ReadonlyMap<string, number>;
}

export interface QueuedRequest {
  readonly id: string;
  readonly state: RequestState;
  readonly requestor: string | null;
  readonly labels: readonly string[];
  /** Epoch seconds. */
  readonly since: number;
}

export function summariseRequests(requests: Iterable<NodeRequestRecord>, now: number, queueLength: number): RequestSummary {
  const byState = zeroCounts(REQUEST_STATES);
  const waitingByLabel = new Map<string, number>();
  const waiting: NodeRequestRecord[] = [];
  let oldest = now;
  for (const request of requests) {
    byState[request.state]++;
    if (!isWaiting(request)) continue;
    waiting.push(request);
    oldest = Math.min(oldest, submittedAt(request));
    for (const label of new Set(request.nodeTypes)) waitingByLabel.set(label, (waitingByLabel.get(label) ?? 0) + 1);
  }
  if (queueLength > 0) waiting.sort(compareRequests);
  return {
    byState,
    waiting: waiting.length,
    oldestWaitingAge: Math.max(0, now - oldest),
    queue: waiting.slice(0, queueLength).map((r) => ({ id: r.id ?? "", state: r.state, requestor: r.requestor, labels: r.nodeTypes, since: submittedAt(r) })),
    waitingByLabel,
  };
}

export interface ImageStatus {
  readonly name: string;
  readonly paused: boolean;
  readonly builds: readonly BuildStatus[];
  /** Epoch seconds of the newest ready build; null when none is ready. */
  readonly newestReady: number | null;
}

export interface BuildStatus {
  readonly id: string;
  readonly state: BuildState;
  readonly since: number;
  readonly uploads: readonly UploadStatus[];
}

export interface UploadStatus {
  readonly provider: string;
  readonly id: string;
  readonly state: UploadState;
  readonly since: number;
}

export function summariseImages(tree: ImageTree): ImageStatus[] {
  return tree.images().map((name) => {
    let newestReady: number | null = null;
    const builds = tree.builds(name).flatMap((build): BuildStatus[] => {
      if (build.id === undefined) return [];
      const id = build.id;
      if (build.state === "ready") newestReady = Math.max(newestReady ?? 0, build.stateTime);
      const uploads = tree.providers(name, id).flatMap((provider) =>
        tree.uploads(name, id, provider).map((u) => ({ provider, id: u.id ?? "", state: u.state, since: u.stateTime })),
      );
      return [{ id, state: build.state, since: build.stateTime, uploads }];
    });
    return { name, paused: tree.isPaused(name), builds, newestReady };
  });
}

/** Node counts by state of one provider or label. */
export interface NodeTally {
  readonly name: string;
  readonly byState: StateCounts<NodeState>;
  readonly total: number;
}

export interface ProviderSummary extends ProviderStatus {
  readonly nodes: NodeTally;
  readonly used: Readonly<Resources>;
}

/** Everything the status page shows, at one moment. */
export interface FleetSummary {
  /** Epoch seconds it was computed. */
  readonly at: number;
  readonly totals: NodeTally;
  readonly providers: readonly ProviderSummary[];
  readonly labels: readonly NodeTally[];
  readonly requests: RequestSummary;
  readonly images: readonly ImageStatus[];
  readonly events: readonly FleetEvent[];
}

/** How many waiting requests the page lists (the rest are counted). */
export const QUEUE_SHOWN = 25;

export function summariseFleet(source: FleetSource, now: number): FleetSummary {
  const totals = tally("all");
  const byProvider = new Map<string, ReturnType<typeof tally>>();
  const byLabel = new Map<string, ReturnType<typeof tally>>();
  const { groups, used } = source.nodeCounts();
  for (const group of groups) {
    add(totals, group);
    add(tallyOf(byProvider, group.provider || "(none)"), group);
    add(tallyOf(byLabel, group.label || "(none)"), group);
  }
  const providers = source.providers().map((p) => ({
    ...p,
    nodes: byProvider.get(p.name) ?? tally(p.name),
    used: used.get(p.name) ?? { instances: 0, cores: 0, ram: 0 },
  }));
  // Nodes of providers no longer configured still show, so the totals add up.
  const configured = new Set(providers.map((p) => p.name));
  for (const [name, nodes] of byProvider) {
    if (configured.has(name)) continue;
    providers.push({ name, ready: false, reason: "not in the config", limit: { instances: null, cores: null, ram: null }, pools: [], nodes, used: used.get(name) ?? { instances: 0, cores: 0, ram: 0 } });
  }
  return {
    at: now,
    totals,
    providers,
    labels: [...byLabel.values()].sort((a, b) => a.name.localeCompare(b.name)),
    requests: summariseRequests(source.requests.values(), now, QUEUE_SHOWN),
    images: summariseImages(source.images),
    events: source.recentEvents(),
  };
}

function tally(name: string): { name: string; byState: StateCounts<NodeState>; total: number } {
  return { name, byState: zeroCounts(NODE_STATES), total: 0 };
}

function tallyOf(map: Map<string, ReturnType<typeof tally>>, name: string): ReturnType<typeof tally> {
  let found = map.get(name);
  if (!found) map.set(name, (found = tally(name)));
  return found;
}

function add(target: ReturnType<typeof tally>, group: NodeGroup): void {
  target.byState[group.state] += group.count;
  target.total += group.count;
}
