/**
 * The two inputs of `plan()`: the desired state (the config, reduced to what decisions need)
 * and the observed state (ZooKeeper as the watched cache holds it, the providers' own view,
 * and the work this process holds locked). Plain data, no I/O: tests build them by hand.
 */
import type { InventoryHost, LabelImage, Resources, Server } from "../drivers/driver.ts";
import type { BackoffDue } from "./backoff.ts";
import type { LauncherId, NodeId, RequestId } from "../zk/ids.ts";
import type { LauncherRecord } from "../zk/records/launcher.ts";
import type { NodeRecord } from "../zk/records/node.ts";
import type { NodeRequestRecord } from "../zk/records/request.ts";

export type { LabelImage, Resources };

export interface PoolDesired {
  provider: string;
  name: string;
  /** `<provider>-<pool>`: the pool worker key. */
  key: string;
  launcherId: LauncherId;
  /** Infinity when unset; ≤ 0 disables the pool. */
  maxServers: number;
  maxCores: number;
  maxRam: number;
  ignoreProviderQuota: boolean;
  /** Zones to choose from; null = whatever the cloud offers. */
  availabilityZones: readonly string[] | null;
  labels: ReadonlyMap<string, LabelImage>;
}

export interface ProviderDesired {
  name: string;
  /** −1 = unlimited, 0 = take no requests, n = at most n launches in progress. */
  maxConcurrency: number;
  /** Whether the driver launches servers; without it nodes are only reused (static hosts). */
  canLaunch: boolean;
  pools: readonly PoolDesired[];
}

export interface LabelDesired {
  name: string;
  minReady: number;
  /** Seconds; ≤ 0 disables. */
  maxReadyAge: number;
}

export interface Desired {
  providers: readonly ProviderDesired[];
  labels: ReadonlyMap<string, LabelDesired>;
  /** Seconds; ≤ 0 = unlimited. */
  maxHoldAge: number;
  /** Seconds a label waits for its next min-ready request after one failed; absent: MIN_READY_RETRY_S. */
  minReadyRetryDelay?: number;
}

export type ObservedNode = NodeRecord & { readonly id: NodeId };

export type ObservedRequest = NodeRequestRecord & { readonly id: RequestId };

export type RegisteredLauncher = LauncherRecord;

/** A request this process holds locked and is filling (the reference's request handler). */
export interface Handler {
  request: RequestId;
  /** Pool key. */
  pool: string;
  /** Nodes obtained so far (reused or launched), in the order they were obtained. */
  nodes: readonly NodeId[];
  /** The AZ chosen for the request's nodes, once known. */
  az: string | null;
  /** Nodes whose launch task still runs (it ends even if their record vanished meanwhile). Absent: none. */
  launching?: ReadonlySet<NodeId>;
}

export interface ProviderObserved {
  /** Cloud limits minus unmanaged usage (behaviour.md §2.12); Infinity where unknown. */
  quota: Resources;
  /** Need of one node, by `<pool>/<label>`; a missing entry counts as one instance only. */
  labelResources: ReadonlyMap<string, Resources>;
  /** Cloud-image names known to exist. */
  cloudImages: ReadonlySet<string>;
  /** Zones the cloud offers (cached), used when a pool names none; empty = no AZ. */
  availabilityZones: readonly string[];
  /** Servers as last listed, for leak detection; null when not listed for this pass. */
  servers: readonly Server[] | null;
}

/**
 * A node launch this process committed to (an accept or continue being carried out) whose node
 * record is not in the observed nodes yet: it counts against quota and max-concurrency as
 * the record will.
 */
export interface CommittedLaunch {
  request: RequestId;
  /** Pool key. */
  pool: string;
  label: string;
}

/** Membership and iteration: what plan() and its readers ask of a set of keys (a Set will do). */
export interface KeySet extends Iterable<string> {
  has(key: string): boolean;
}

/** A provider's inventory of existing hosts (static machines), as its driver last checked them. */
export interface InventoryObserved {
  hosts: readonly InventoryHost[];
  /** Registrations being carried out, by host name. */
  registering: ReadonlyMap<string, number>;
  /** Nodes whose deregistration is being carried out. */
  deregistering: ReadonlySet<string>;
}

export interface Observed {
  nodes: ReadonlyMap<NodeId, ObservedNode>;
  requests: ReadonlyMap<RequestId, ObservedRequest>;
  launchers: readonly RegisteredLauncher[];
  /** `<image>/<provider>` for every diskimage with a ready upload to that provider. */
  readyUploads: ReadonlySet<string>;
  providers: ReadonlyMap<string, ProviderObserved>;
  /** Inventories by provider name (providers with existing hosts). Absent: none. */
  inventories?: ReadonlyMap<string, InventoryObserved>;
  handlers: ReadonlyMap<RequestId, Handler>;
  /** Nodes this process holds locked (handlers' nodes, deletions in progress). */
  heldNodes: ReadonlySet<NodeId>;
  /** Nodes and requests whose lock someone else held at our last attempt, not released since. */
  busy: KeySet;
  /** This process's outstanding min-ready requests, by label. */
  minReady: ReadonlyMap<string, readonly RequestId[]>;
  /** When this process's last min-ready request of a label failed (epoch seconds), by label. Absent: none. */
  minReadyFailed?: ReadonlyMap<string, number>;
  /**
   * When a pool last had room freed (epoch seconds): a node record of it removed, or the config
   * changed. A min-ready label that failed before may try again at once. Absent: never.
   */
  roomFreed?: ReadonlyMap<string, number>;
  /** Launches decided and being carried out whose node record is not observed yet. Absent: none. */
  committed?: Iterable<CommittedLaunch>;
  /** Node znodes without data (garbage of kazoo lock attempts, zookeeper.md §3.9). */
  emptyNodes: readonly NodeId[];
  /** Request znodes whose data is no request record (bad JSON, a wrong field), with why. Absent: none. */
  malformedRequests?: ReadonlyMap<RequestId, string>;
  /** Whether the periodic duties (lost requests, leaks, empty nodes) are due this pass. */
  cleanupDue: boolean;
  /**
   * Whether the deleted-node worker's sweep (reference: every 5 s) is due: it frees ready nodes
   * whose request is gone and deletes unlocked `in-use` nodes. Both usually find the requestor
   * holding the node (Zuul locks a node before it deletes the request, and holds it while in
   * use), so they are not tried on every event. Absent: due (a one-off observation).
   */
  sweepDue?: boolean;
  /** Objects whose action failed and that wait before the next try, by action key (keyOf). Absent: none. */
  backoff?: ReadonlyMap<string, BackoffDue>;
}

export const NO_LIMIT: Resources = { cores: Infinity, instances: Infinity, ram: Infinity };

export const uploadKey = (image: string, provider: string): string => `${image}/${provider}`;
export const labelKey = (pool: string, label: string): string => `${pool}/${label}`;

/** A pool's key (`PoolDesired.key`): `<provider>-<pool>`. */
export const poolKey = (provider: string, pool: string): string => `${provider}-${pool}`;
