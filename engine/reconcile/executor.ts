/**
 * The executor: carries out plan() actions against ZooKeeper and the drivers. Every action
 * takes the lock the reference takes (non-blocking; a busy lock just means "not now"), re-reads
 * the record under the lock and re-checks what the plan relied on, and records intent in
 * ZooKeeper before a side effect (a node is `building` and locked before its server is
 * created). It holds the in-memory half of in-flight work: the request handlers (request and
 * node locks) and node deletions. Actions on one object never run concurrently.
 */
import { HostCheckError, messageOf, type BootImage, type HostInventory, type ServerId, type ServerLauncher } from "../drivers/driver.ts";
import { runLaunch } from "../launcher/launch.ts";
import { failMalformedRequest } from "../launcher/malformed-request.ts";
import type { Logger } from "../log.ts";
import { LockBusyError, MultiOpError, NodeExistsError, NoNodeError, NotEmptyError, RecordGoneError } from "../zk/errors.ts";
import type { LauncherId, NodeId, RequestId } from "../zk/ids.ts";
import { ZkLock } from "../zk/lock.ts";
import type { MultiOp } from "../zk/client.ts";
import { storeNodeOp, storeRequestOp, type NodepoolZk } from "../zk/nodepool-zk.ts";
import * as P from "../zk/paths.ts";
import { newNode, withNodeState, type NodeRecord, type NodeState } from "../zk/records/node.ts";
import { MIN_READY_REQUESTOR, newRequest, withRequestState, type NodeRequestRecord } from "../zk/records/request.ts";
import {
  keyOf,
  type AbandonRequest,
  type AcceptRequest,
  type Action,
  type ContinueRequest,
  type DeallocateNode,
  type DeclineRequest,
  type DeleteNode,
  type FailMalformedRequest,
  type InventoryAction,
  type RegisterHost,
  type FulfilRequest,
  type LeakedServer,
  type MarkDeleting,
  type MinReadyDone,
  type MinReadyRequests,
  type ReclaimNode,
  type RemoveEmptyNode,
  type ResetLostRequest,
} from "./actions.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import type { EngineEventEmitter } from "./events.ts";
import type { RateLimiter } from "./rate.ts";
import { poolKey, type CommittedLaunch, type Handler, type KeySet, type PoolDesired } from "./state.ts";

/** What the executor needs from the running launcher. */
export interface ExecutorContext {
  zk: NodepoolZk;
  log: Logger;
  events: EngineEventEmitter;
  /** The running provider's server launcher; undefined when it is not running or launches nothing. */
  servers(provider: string): ServerLauncher | undefined;
  /** The provider's inventory of existing hosts, for providers with one. */
  inventory(provider: string): HostInventory | undefined;
  rate(provider: string): RateLimiter;
  /** Launch attempts per node (`launch-retries`) for a provider. */
  launchRetries(provider: string): number;
  pool(key: string): PoolDesired | undefined;
  /** The pool's `node-attributes`, copied into each node it creates. */
  poolAttributes(key: string): Readonly<Record<string, unknown>> | null;
  /** The image a label of a pool boots from now (newest ready upload), or null. */
  bootImage(pool: PoolDesired, label: string): BootImage | null;
  /** Registered launchers as last seen (to decide whether a decline fails the request). */
  launcherIds(): readonly string[];
  /** The watched node cache: writes under our locks go straight into it. */
  nodes: RecordCache<NodeRecord & { readonly id: NodeId }>;
  /** The watched request cache, likewise. */
  requests: RecordCache<NodeRequestRecord & { readonly id: RequestId }>;
  /** Called whenever something finished that the next pass should look at. */
  trigger(reason: string): void;
  /** Called when a lock was found busy: watch it, and trigger when it is released. */
  watchLock(key: string, lockPath: string): void;
  /**
   * Whether a lock has contenders now (zookeeper.md §3.8: "is locked" = a contender exists),
   * watching it when it has; cheaper than a lock attempt that fails.
   */
  probeLock(key: string, lockPath: string): Promise<boolean>;
  /** Waits between the tries of an object whose action keeps failing (default 1 s doubling to 5 min). */
  retry?: BackoffOptions;
}

/** What the executor asks of a watched cache (zk/cache.ts ChildrenCache). */
export interface RecordCache<T> {
  /** The cached record, however old (fields the plan did not carry). */
  get(id: string): T | undefined;
  /** The cached record if it is known to be current (no change since, or ours under our lock). */
  current(id: string): T | undefined;
  /** Called before a write under our lock, so the write's own data event is not re-read. */
  writing(id: string): void;
  wrote(id: string, value: T): void;
  /** Our lock was released; `watchAgain` false for records in a final state. */
  released(id: string, watchAgain?: boolean): void;
  /** We deleted the record. */
  deleted(id: string): void;
}

interface HeldRequest extends Handler {
  lock: ZkLock;
  nodeLocks: Map<NodeId, ZkLock>;
  launching: Set<NodeId>;
  /** The request as last written under our lock (nobody else writes it while we hold the lock). */
  record: NodeRequestRecord;
  /** Requestor, for launch statistics. */
  requestor: string | null;
  acceptedAt: number;
}

/** The `launcher` of static node records, as the reference writes it (behaviour.md §3B.2). */
const STATIC_LAUNCHER = "static driver";
const DELETABLE: ReadonlySet<NodeState> = new Set(["used", "in-use", "building", "failed", "aborted", "deleting", "deleted", "init"]);
/** Backoff of a failing action's object: 1 s, doubling up to 5 min (Kubernetes' controllers cap theirs at 1000 s). */
const ACTION_RETRY: BackoffOptions = { initialMs: 1_000, maxMs: 300_000 };
/** How long stop() waits for running actions before releasing their locks. */
const STOP_GRACE_MS = 5_000;
/** Lost-request reset takes node locks blocking, as the reference does, but bounded. */
const LOST_REQUEST_NODE_LOCK_MS = 10_000;

export class Executor {
  private readonly handlers = new Map<RequestId, HeldRequest>();
  private readonly deletions = new Map<NodeId, ZkLock>();
  private readonly inFlight = new Set<string>();
  private readonly launches = new Map<NodeId, AbortController>();
  /** Aborts the cloud calls of other actions (deletions, leak checks) once the stop's grace is over. */
  private readonly halted = new AbortController();
  /** Every running action and launch, for `idle()`. */
  private readonly running = new Set<Promise<void>>();
  private readonly minReady = new Map<string, RequestId[]>();
  /** When the last min-ready request of a label failed (epoch seconds). */
  private readonly minReadyFailures = new Map<string, number>();
  /**
   * Launches of accepts and continues being carried out, from the moment the action starts
   * until the node is among its handler's nodes: plan() counts them against quota.
   */
  private readonly committed = new Set<CommittedLaunch>();
  private readonly busyKeys = new Set<string>();
  /** Static host registrations being carried out: provider → host → records. */
  private readonly registering = new Map<string, Map<string, number>>();
  /** Static node deregistrations being carried out. */
  private readonly deregistering = new Set<string>();
  private stopping = false;
  /** Objects whose action failed wait before the next try, longer after each failure; a success forgets them. */
  readonly backoff: Backoff;

  constructor(private readonly ctx: ExecutorContext) {
    this.backoff = new Backoff(ctx.retry ?? ACTION_RETRY);
  }

  /** The handlers as plan() sees them. */
  get handlerView(): ReadonlyMap<RequestId, Handler> {
    return this.handlers;
  }

  /** Nodes this process holds locked. */
  heldNodes(): Set<NodeId> {
    const held = new Set<NodeId>(this.deletions.keys());
    for (const h of this.handlers.values()) for (const id of h.nodeLocks.keys()) held.add(id);
    return held;
  }

  /** Objects with an action running or a lock found busy: the plan leaves them alone. */
  readonly busy: KeySet = {
    has: (key) => this.inFlight.has(key) || this.busyKeys.has(key),
    [Symbol.iterator]: () => new Set([...this.inFlight, ...this.busyKeys]).values(),
  };

  /** A busy lock was released (or its object changed): try again. */
  clearBusy(key: string): void {
    this.busyKeys.delete(key);
  }

  clearAllBusy(): void {
    this.busyKeys.clear();
  }

  get minReadyView(): ReadonlyMap<string, readonly RequestId[]> {
    return this.minReady;
  }

  get minReadyFailedView(): ReadonlyMap<string, number> {
    return this.minReadyFailures;
  }

  get committedView(): Iterable<CommittedLaunch> {
    return this.committed;
  }

  /** Registrations in progress for a provider's hosts, by host name, and deregistrations in progress. */
  inventoryView(provider: string): { registering: ReadonlyMap<string, number>; deregistering: ReadonlySet<string> } {
    return { registering: this.registering.get(provider) ?? new Map(), deregistering: this.deregistering };
  }

  /** Starts every action whose object is free; returns once all of them finished. */
  async run(actions: readonly Action[]): Promise<void> {
    await Promise.all(actions.map((action) => this.start(action)));
  }

  /** Resolves once no action and no launch is running (`nodepool apply`). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
    return work;
  }

  /** Starts an action unless its object is busy; resolves when it is done. */
  start(action: Action): Promise<void> {
    return this.track(this.perform(action));
  }

  private async perform(action: Action): Promise<void> {
    if (this.stopping) return;
    const key = keyOf(action);
    if (this.inFlight.has(key) || this.backoff.waiting(key, Date.now() / 1000) !== undefined) return;
    this.inFlight.add(key);
    const started = performance.now();
    // Committed before the first await: a pass planned meanwhile already counts these launches.
    const launches: CommittedLaunch[] =
      action.kind === "accept" || action.kind === "continue" ? action.launch.map((label) => ({ request: action.request, pool: action.pool, label })) : [];
    for (const launch of launches) this.committed.add(launch);
    try {
      await this.dispatch(action, launches);
      this.backoff.forget(key);
      this.ctx.events.emit("action", { action, ok: true, durationMs: performance.now() - started });
    } catch (error) {
      if (error instanceof LockBusyError) {
        this.busyKeys.add(key);
        if (error.path) this.ctx.watchLock(key, error.path);
      } else if (!(error instanceof RecordGoneError)) {
        const retryAt = this.backoff.failed(key, messageOf(error), Date.now() / 1000);
        this.ctx.log.warn({ err: error, action: action.kind, key, provider: action.provider, retryAt: new Date(retryAt * 1000).toISOString() }, "action failed");
      }
      this.ctx.events.emit("action", { action, ok: false, durationMs: performance.now() - started, error });
    } finally {
      for (const launch of launches) this.committed.delete(launch);
      this.inFlight.delete(key);
      this.ctx.trigger(`${action.kind} done`);
    }
  }

  /**
   * Stops taking work. In-flight launches are abandoned (their nodes stay `building` and are
   * cleaned up by the next launcher's deleted-node pass); paused handlers release their nodes.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.launches.values()) controller.abort();
    // Let running actions reach a consistent point (aborted launches end at once).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    this.halted.abort();
    for (const handler of this.handlers.values()) {
      for (const [id, lock] of handler.nodeLocks) {
        const node = this.ctx.nodes.get(id);
        if (node?.state === "ready" && node.allocatedTo === handler.request) {
          await this.ctx.zk.storeNode({ ...node, allocatedTo: null }, lock).catch(() => undefined);
        }
        await lock.release().catch(() => undefined);
      }
      await handler.lock.release().catch(() => undefined);
    }
    this.handlers.clear();
    for (const lock of this.deletions.values()) await lock.release().catch(() => undefined);
    this.deletions.clear();
  }

  /** After a session expiry every lock is gone: forget what they protected. */
  forgetLocks(): void {
    for (const controller of this.launches.values()) controller.abort();
    this.handlers.clear();
    this.deletions.clear();
    this.minReady.clear();
    this.busyKeys.clear();
  }

  private dispatch(action: Action, launches: readonly CommittedLaunch[]): Promise<void> {
    switch (action.kind) {
      case "accept":
        return this.accept(action, launches);
      case "continue":
        return this.continueRequest(action, launches);
      case "reclaim":
        return this.reclaim(action);
      case "fulfil":
        return this.fulfil(action);
      case "decline":
        return this.decline(action);
      case "fail-malformed":
        return this.failMalformed(action);
      case "abandon":
        return this.abandon(action);
      case "min-ready":
        return this.submitMinReady(action);
      case "min-ready-done":
        return this.minReadyDone(action);
      case "mark-deleting":
        return this.markDeleting(action);
      case "delete-node":
        return this.deleteNode(action);
      case "deallocate":
        return this.deallocate(action);
      case "reset-lost-request":
        return this.resetLostRequest(action);
      case "remove-empty-node":
        return this.removeEmptyNode(action);
      case "leaked-server":
        return this.leakedServer(action);
      case "register-host":
      case "deregister-node":
      case "update-node":
        return this.inventory(action);
    }
  }

  /** Stores a node this process holds locked, keeping the cache current. */
  private async storeHeld(node: NodeRecord & { readonly id: NodeId }, lock: ZkLock): Promise<void> {
    this.ctx.nodes.writing(node.id);
    await this.ctx.zk.storeNode(node, lock);
    this.ctx.nodes.wrote(node.id, node);
  }

  /** Stores a request this process holds locked, keeping the cache current. */
  private async storeHeldRequest(request: NodeRequestRecord, id: RequestId, lock: ZkLock): Promise<NodeRequestRecord> {
    this.ctx.requests.writing(id);
    const stored = await this.ctx.zk.storeNodeRequest(request, lock);
    this.ctx.requests.wrote(id, { ...stored, id });
    return stored;
  }

  private async releaseRequest(id: RequestId, lock: ZkLock, watchAgain = true): Promise<void> {
    try {
      await lock.release();
    } finally {
      this.ctx.requests.released(id, watchAgain);
    }
  }

  private async releaseNode(id: NodeId, lock: ZkLock, watchAgain = true): Promise<void> {
    try {
      await lock.release();
    } finally {
      this.ctx.nodes.released(id, watchAgain);
    }
  }

  /**
   * Locks a record without blocking and returns it as it is now: from the watched cache when
   * the cache is current, else re-read (zookeeper.md §3.4 step 7). A missing or empty record
   * releases the lock and throws RecordGoneError.
   */
  private async lockRecord<T>(lock: ZkLock, what: string, cached: () => T | undefined, read: () => Promise<T | null>): Promise<{ lock: ZkLock; record: T }> {
    if (!(await lock.acquire({ blocking: false }))) throw new LockBusyError(`${what} is locked by another party`, lock.path);
    try {
      const record = cached() ?? (await read());
      if (record === null) throw new RecordGoneError(`${what} no longer exists`, lock.path);
      return { lock, record };
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private lockRequest(id: RequestId) {
    const lock = new ZkLock(this.ctx.zk.client, P.requestLockPath(id), { directory: { kind: "make-path" } });
    return this.lockRecord(lock, `request ${id}`, () => this.ctx.requests.current(id), () => this.ctx.zk.getNodeRequest(id));
  }

  private lockNode(id: NodeId) {
    const lock = new ZkLock(this.ctx.zk.client, P.nodeLockPath(id), { directory: { kind: "below", floor: P.nodePath(id) } });
    return this.lockRecord(lock, `node ${id}`, () => this.ctx.nodes.current(id), () => this.ctx.zk.getNode(id));
  }

  // ---- requests ---------------------------------------------------------------------------

  private async accept(action: AcceptRequest, launches: readonly CommittedLaunch[]): Promise<void> {
    const pool = this.ctx.pool(action.pool);
    if (!pool) return;
    const id = action.request;
    const acceptable = (record: NodeRequestRecord): boolean => record.state === "requested" && !record.declinedBy.includes(pool.launcherId);
    const pendingOf = (record: NodeRequestRecord): NodeRequestRecord => ({
      ...withRequestState(record, "pending"),
      declinedBy: mergeDeclined(record.declinedBy, action.declinedBy),
    });
    const cached = this.ctx.requests.current(id);
    if (cached && !acceptable(cached)) return;
    let lock = cached ? await this.lockFreshRequest(id, pendingOf(cached)) : null;
    let record: NodeRequestRecord | undefined = cached;
    let accepted: Promise<unknown> = Promise.resolve();
    if (lock === null || record === undefined) {
      // Locked before (its directory exists), or not known current: the lock's usual way. A
      // request not seen yet most likely has no lock directory: making it first saves the lock's
      // failed attempt (sent together: ZooKeeper applies one client's requests in order).
      const directory = cached ? undefined : createIfMissing(this.ctx.zk, P.requestLockPath(id));
      const [, locked] = await Promise.all([directory, this.lockRequest(id)]);
      if (!acceptable(locked.record)) {
        await this.releaseRequest(id, locked.lock);
        return;
      }
      ({ lock, record } = locked);
      // The pending write is sent ahead of the nodes' writes and applied before them.
      accepted = this.storeHeldRequest(pendingOf(record), id, lock);
    }
    const handler: HeldRequest = {
      record: pendingOf(record),
      request: id,
      pool: pool.key,
      nodes: [],
      az: action.az,
      lock,
      nodeLocks: new Map(),
      launching: new Set(),
      requestor: record.requestor,
      acceptedAt: performance.now(),
    };
    this.handlers.set(id, handler);
    lock.onLost(() => this.handlers.delete(id));
    this.ctx.events.emit("request", { request: id, outcome: "accepted", launcher: pool.launcherId, requestor: handler.requestor, durationMs: 0 });
    if (record.nodeTypes.length === 0) this.ctx.log.info({ request: id, requestor: handler.requestor }, "request asks for no nodes: fulfilling it with an empty node list");
    await settleAll([accepted, this.fill(handler, pool, action.assign, launches)]);
  }

  /**
   * Locks a request nobody has locked yet and writes `next` in the same transaction (one
   * request to ZooKeeper instead of three). Null when its lock directory exists already.
   */
  private async lockFreshRequest(id: RequestId, next: NodeRequestRecord): Promise<ZkLock | null> {
    const lock = new ZkLock(this.ctx.zk.client, P.requestLockPath(id), { directory: { kind: "make-path" } });
    this.ctx.requests.writing(id);
    let written = false;
    try {
      written = (await lock.acquireFresh([storeRequestOp({ ...next, id })])) !== null;
    } catch (error) {
      if (error instanceof MultiOpError && error.cause instanceof NoNodeError) throw new RecordGoneError(`request ${id} no longer exists`, P.requestPath(id));
      throw error;
    } finally {
      if (!written) this.ctx.requests.released(id);
    }
    if (!written) return null;
    this.ctx.requests.wrote(id, { ...next, id });
    return lock;
  }

  private async continueRequest(action: ContinueRequest, launches: readonly CommittedLaunch[]): Promise<void> {
    const handler = this.handlers.get(action.request);
    const pool = this.ctx.pool(action.pool);
    if (!handler || !pool) return;
    for (const id of action.release) {
      const lock = handler.nodeLocks.get(id);
      if (lock) await this.releaseNode(id, lock);
      handler.nodeLocks.delete(id);
      handler.nodes = handler.nodes.filter((n) => n !== id);
    }
    handler.az ??= action.az;
    await this.fill(handler, pool, action.assign, launches);
  }

  /** Reuses the given ready nodes, then creates and launches the committed nodes. */
  private async fill(handler: HeldRequest, pool: PoolDesired, assign: readonly NodeId[], launches: readonly CommittedLaunch[]): Promise<void> {
    for (const id of assign) {
      try {
        const { lock, record } = await this.lockNode(id);
        if (record.state !== "ready" || record.allocatedTo !== null) {
          await this.releaseNode(id, lock);
          continue;
        }
        if (!(await this.hostAnswers(record))) {
          // A static host that does not answer: its node is deregistered, not handed out (§3B.4);
          // the request waits for another, or for the host to come back and be registered again.
          await this.storeHeld({ ...withNodeState(record, "deleting"), id }, lock);
          await this.releaseNode(id, lock);
          continue;
        }
        await this.storeHeld({ ...record, id, allocatedTo: handler.request }, lock);
        handler.nodeLocks.set(id, lock);
        handler.nodes = [...handler.nodes, id];
        handler.az ??= record.az;
      } catch (error) {
        if (!(error instanceof LockBusyError || error instanceof RecordGoneError)) throw error;
      }
    }
    await settleAll(launches.map((launch) => this.createAndLaunch(handler, pool, launch)));
  }

  private async createAndLaunch(handler: HeldRequest, pool: PoolDesired, launch: CommittedLaunch): Promise<void> {
    const { zk } = this.ctx;
    const { label } = launch;
    const created = await zk.storeNode(
      newNode({
        state: "init",
        provider: pool.provider,
        pool: pool.name,
        type: [label],
        launcher: pool.launcherId,
        allocatedTo: handler.request,
        az: handler.az,
        attributes: this.ctx.poolAttributes(pool.key),
      }),
    );
    const id = created.id as NodeId;
    // The record and the handler's claim on it replace the commitment in one step.
    this.ctx.nodes.wrote(id, { ...created, id });
    handler.nodes = [...handler.nodes, id];
    this.committed.delete(launch);
    // Nobody else knows this node yet: its lock directory, our contender and the `building`
    // write go in one transaction, without re-reading it.
    const lock = new ZkLock(zk.client, P.nodeLockPath(id), { directory: { kind: "below", floor: P.nodePath(id) } });
    const building = { ...withNodeState(created, "building"), id };
    if ((await lock.acquireFresh([storeNodeOp(building)])) === null) {
      handler.nodes = handler.nodes.filter((n) => n !== id);
      this.ctx.nodes.released(id);
      return;
    }
    this.ctx.nodes.wrote(id, building);
    handler.nodeLocks.set(id, lock);
    this.track(this.launch(handler, pool, label, building, lock));
  }

  private async launch(handler: HeldRequest, pool: PoolDesired, label: string, node: NodeRecord & { readonly id: NodeId }, lock: ZkLock): Promise<void> {
    const provider = this.ctx.servers(pool.provider);
    const controller = new AbortController();
    this.launches.set(node.id, controller);
    handler.launching.add(node.id);
    const started = performance.now();
    const image = this.ctx.bootImage(pool, label);
    let result: Awaited<ReturnType<typeof runLaunch>>["result"] = "error.unknown";
    let reason: string | null = null;
    let az = node.az;
    try {
      if (!provider) throw new Error(`provider ${pool.provider} has no running driver that launches servers`);
      const outcome = await runLaunch({
        zk: this.ctx.zk,
        provider,
        node,
        spec: { nodeId: node.id, pool: pool.name, label, az: node.az, image },
        retries: this.ctx.launchRetries(pool.provider),
        rate: this.ctx.rate(pool.provider),
        signal: controller.signal,
        log: this.ctx.log,
        store: (held) => this.storeHeld(held, lock),
      });
      result = outcome.result;
      reason = outcome.reason ?? null;
      az = outcome.node.az;
    } catch (error) {
      reason = messageOf(error);
      const fields = { node: node.id, request: handler.request, provider: pool.provider };
      // Deleted by someone else meanwhile: its server, if any, was recorded for deletion.
      if (error instanceof NoNodeError) this.ctx.log.warn(fields, "launch ended: node record deleted by another party");
      else {
        this.ctx.log.error({ ...fields, err: error }, "launch failed");
        await this.storeHeld({ ...withNodeState(node, "failed"), id: node.id }, lock).catch(() => undefined);
      }
    } finally {
      this.launches.delete(node.id);
      handler.launching.delete(node.id);
    }
    this.ctx.events.emit("launch", {
      provider: pool.provider,
      pool: pool.name,
      label,
      az,
      image: image?.name ?? (pool.labels.get(label)?.kind === "cloud-image" ? label : null),
      requestor: handler.requestor,
      node: node.id,
      request: handler.request,
      result,
      reason,
      durationMs: Math.round(performance.now() - started),
    });
    this.ctx.trigger("launch done");
  }

  private async reclaim(action: ReclaimNode): Promise<void> {
    await this.withNodeLock(action.node, async (record, lock) => {
      if (record.state !== "ready" || record.allocatedTo !== null) return;
      await this.storeHeld({ ...withNodeState(record, "deleting"), id: record.id }, lock);
    });
  }

  private async fulfil(action: FulfilRequest): Promise<void> {
    const handler = this.handlers.get(action.request);
    if (!handler) return;
    this.handlers.delete(action.request);
    const fulfilled = { ...withRequestState(handler.record, "fulfilled"), nodes: action.nodes };
    if (!(await this.fulfilAtOnce(handler, fulfilled))) {
      // Refused because a node's record (with our lock on it) was deleted since the plan: the
      // next pass declines the request rather than hand out a node that is gone.
      if (action.nodes.some((id) => this.ctx.nodes.get(id) === undefined)) {
        this.handlers.set(action.request, handler);
        return;
      }
      await this.fulfilStepwise(handler, fulfilled);
    }
    this.ctx.events.emit("request", {
      request: action.request,
      outcome: "fulfilled",
      launcher: this.ctx.pool(handler.pool)?.launcherId ?? null,
      requestor: handler.requestor,
      durationMs: performance.now() - handler.acceptedAt,
    });
  }

  /**
   * The request's `fulfilled` write and the release of its node locks and its own lock, in one
   * transaction. False when ZooKeeper refused it (nothing changed): go step by step.
   */
  private async fulfilAtOnce(handler: HeldRequest, fulfilled: NodeRequestRecord): Promise<boolean> {
    const id = handler.request;
    const locks = [...handler.nodeLocks, [id, handler.lock] as const];
    const releases = locks.map(([, lock]) => lock.releaseOp);
    if (!handler.lock.held || releases.some((op) => op === undefined)) return false;
    this.ctx.requests.writing(id);
    try {
      await this.ctx.zk.client.multi([storeRequestOp({ ...fulfilled, id }), ...(releases as MultiOp[])]);
    } catch (error) {
      this.ctx.requests.released(id);
      if (error instanceof MultiOpError) return false;
      throw error;
    }
    handler.nodeLocks.clear();
    for (const [, lock] of locks) lock.releasedWith();
    this.ctx.requests.wrote(id, { ...fulfilled, id });
    // Fulfilled is final: only the request's removal matters from now on.
    this.ctx.requests.released(id, false);
    for (const node of handler.nodes) this.ctx.nodes.released(node);
    return true;
  }

  private async fulfilStepwise(handler: HeldRequest, fulfilled: NodeRequestRecord): Promise<void> {
    // Node locks go first: the requestor locks the nodes as soon as it sees `fulfilled`. The
    // releases, the write and the request's release are sent at once; ZooKeeper applies them
    // in this order.
    const released = this.releaseNodes(handler, false);
    const written = this.storeHeldRequest(fulfilled, handler.request, handler.lock).then(
      () => undefined,
      (error: unknown) => {
        // Deleted by its requestor meanwhile: nothing to fulfil.
        if (!(error instanceof NoNodeError)) throw error;
      },
    );
    await Promise.all([released, written, this.releaseRequest(handler.request, handler.lock, false)]);
  }

  private async decline(action: DeclineRequest): Promise<void> {
    const handler = this.handlers.get(action.request);
    let lock: ZkLock;
    let record: NodeRequestRecord | null;
    if (handler) {
      lock = handler.lock;
      record = (await this.ctx.zk.getNodeRequest(action.request)) && handler.record;
    } else {
      const locked = await this.lockRequest(action.request);
      lock = locked.lock;
      record = locked.record;
      if (record.state !== "requested") {
        await this.releaseRequest(action.request, lock);
        return;
      }
    }
    if (handler) {
      for (const id of action.release) {
        const nodeLock = handler.nodeLocks.get(id);
        const node = await this.ctx.zk.getNode(id);
        if (nodeLock && node && node.allocatedTo === action.request) await this.storeHeld({ ...node, id, allocatedTo: null }, nodeLock);
      }
      await this.releaseNodes(handler, false);
      this.handlers.delete(action.request);
    }
    if (record && !handler && action.declinedBy.every((id) => record.declinedBy.includes(id))) {
      // Already declined by these pools: an echo of a stale cache.
      await lock.release();
      return;
    }
    if (record) {
      const declinedBy = mergeDeclined(record.declinedBy, action.declinedBy);
      const declined = new Set<string>(declinedBy);
      const fail = this.ctx.launcherIds().every((id) => declined.has(id));
      await this.storeHeldRequest({ ...withRequestState(record, fail ? "failed" : "requested"), declinedBy }, action.request, lock);
      this.ctx.log.info({ request: action.request, provider: action.provider, reason: action.reason }, fail ? "request failed" : "request declined");
      this.ctx.events.emit("request", {
        request: action.request,
        outcome: fail ? "failed" : "declined",
        launcher: action.declinedBy[0] ?? null,
        requestor: record.requestor,
        durationMs: handler ? performance.now() - handler.acceptedAt : 0,
      });
    } else {
      this.ctx.log.info({ request: action.request }, "request vanished while declining");
    }
    await this.releaseRequest(action.request, lock);
  }

  /** Fails a request whose data is no request record, read again under its lock. */
  private async failMalformed(action: FailMalformedRequest): Promise<void> {
    const id = action.request;
    const path = P.requestPath(id);
    const lock = new ZkLock(this.ctx.zk.client, P.requestLockPath(id), { directory: { kind: "make-path" } });
    if (!(await lock.acquire({ blocking: false }))) throw new LockBusyError(`request ${id} is locked by another party`, lock.path);
    try {
      let data: Buffer;
      try {
        ({ data } = await this.ctx.zk.client.get(path));
      } catch (error) {
        if (error instanceof NoNodeError) return;
        throw error;
      }
      const failed = failMalformedRequest(id, data, path, action.declinedBy);
      if (!failed) return;
      await this.storeHeldRequest(failed.record, id, lock);
      this.ctx.log.warn({ request: id, path, reason: failed.reason }, "malformed request failed");
      this.ctx.events.emit("request", { request: id, outcome: "failed", launcher: action.declinedBy[0] ?? null, requestor: failed.record.requestor, durationMs: 0 });
    } finally {
      await this.releaseRequest(id, lock, false);
    }
  }

  private async abandon(action: AbandonRequest): Promise<void> {
    const handler = this.handlers.get(action.request);
    if (!handler) return;
    for (const [id, lock] of handler.nodeLocks) {
      const node = this.ctx.nodes.current(id) ?? (await this.ctx.zk.getNode(id));
      if (node && node.allocatedTo === action.request) await this.storeHeld({ ...node, id, allocatedTo: null }, lock);
    }
    await this.releaseNodes(handler, false);
    this.handlers.delete(action.request);
    await this.releaseRequest(action.request, handler.lock).catch(() => undefined);
  }

  private async releaseNodes(handler: HeldRequest, clear: boolean): Promise<void> {
    const locks = [...handler.nodeLocks];
    handler.nodeLocks.clear();
    await Promise.all(
      locks.map(async ([id, lock]) => {
        if (clear) {
          const node = this.ctx.nodes.current(id) ?? (await this.ctx.zk.getNode(id));
          if (node) await this.storeHeld({ ...node, id, allocatedTo: null }, lock);
        }
        await this.releaseNode(id, lock);
      }),
    );
  }

  private async submitMinReady(action: MinReadyRequests): Promise<void> {
    const ids: RequestId[] = [];
    this.minReady.set(action.label, ids);
    try {
      for (let i = 0; i < action.count; i++) {
        const request = await this.ctx.zk.submitNodeRequest(
          newRequest({ nodeTypes: [action.label], requestor: MIN_READY_REQUESTOR, reuse: false }),
        );
        if (request.id) ids.push(request.id);
      }
    } finally {
      if (ids.length === 0) this.minReady.delete(action.label);
    }
  }

  private async minReadyDone(action: MinReadyDone): Promise<void> {
    // Recorded before the request goes, so no pass sees the label neither outstanding nor failed.
    if (action.failed) this.minReadyFailures.set(action.label, Date.now() / 1000);
    for (const id of action.nodes) {
      // The reference clears the allocation without locking (zookeeper.md §4.2).
      const node = await this.ctx.zk.getNode(id);
      if (node && node.allocatedTo === action.request) await this.ctx.zk.storeNode({ ...node, allocatedTo: null });
    }
    await this.ctx.zk.deleteNodeRequest(action.request);
    this.forgetMinReady(action.label, action.request);
  }

  /**
   * Forgets one min-ready request. Only the generation that holds it is touched: a label
   * whose next generation is being submitted stays outstanding.
   */
  private forgetMinReady(label: string, request: RequestId): void {
    const ids = this.minReady.get(label);
    const index = ids?.indexOf(request) ?? -1;
    if (!ids || index < 0) return;
    ids.splice(index, 1);
    if (ids.length === 0) this.minReady.delete(label);
  }

  /** Forgets a min-ready request that vanished (session loss, someone deleted it). */
  pruneMinReady(request: RequestId): void {
    for (const label of [...this.minReady.keys()]) this.forgetMinReady(label, request);
  }

  private async resetLostRequest(action: ResetLostRequest): Promise<void> {
    const { lock, record } = await this.ctx.zk.lockNodeRequest(action.request);
    try {
      if (record.state !== "pending") return;
      const nodes = await this.ctx.zk.getNodes();
      for (const node of nodes) {
        if (node.allocatedTo !== action.request || node.id === undefined) continue;
        const locked = await this.ctx.zk.lockNode(node.id, { timeoutMs: LOST_REQUEST_NODE_LOCK_MS });
        try {
          await this.ctx.zk.storeNode({ ...locked.record, allocatedTo: null }, locked.lock);
        } finally {
          await locked.lock.release();
        }
      }
      await this.ctx.zk.storeNodeRequest({ ...withRequestState(record, "requested"), nodes: [] }, lock);
    } finally {
      await lock.release();
    }
  }

  // ---- nodes ------------------------------------------------------------------------------

  /**
   * Locks a node without blocking; a node whose lock has contenders is left for when it is
   * released. `probe` false skips looking first, for a lock that is most likely free.
   */
  private async lockNodeIfFree(id: NodeId, probe = true) {
    const path = P.nodeLockPath(id);
    if (probe && (await this.ctx.probeLock(id, path))) throw new LockBusyError(`node ${id} is locked by another party`, path);
    return this.lockNode(id);
  }

  private async withNodeLock(id: NodeId, work: (record: NodeRecord & { readonly id: NodeId }, lock: ZkLock) => Promise<void>): Promise<void> {
    const { lock, record } = await this.lockNodeIfFree(id);
    try {
      await work({ ...record, id }, lock);
    } finally {
      await this.releaseNode(id, lock);
    }
  }

  private async markDeleting(action: MarkDeleting): Promise<void> {
    const cached = this.ctx.nodes.get(action.node);
    await this.withNodeLock(action.node, async (record, lock) => {
      if (record.state !== cached?.state || record.allocatedTo !== null) return;
      await this.storeHeld({ ...withNodeState(record, "deleting"), id: record.id }, lock);
    });
  }

  private async deallocate(action: DeallocateNode): Promise<void> {
    await this.withNodeLock(action.node, async (record, lock) => {
      if (record.state !== "ready" || record.allocatedTo === null) return;
      if (await this.ctx.zk.getNodeRequest(record.allocatedTo)) return;
      await this.storeHeld({ ...record, allocatedTo: null }, lock);
    });
  }

  /** The deleted-node worker's node deletion (behaviour.md §2.16). */
  private async deleteNode(action: DeleteNode): Promise<void> {
    const { zk } = this.ctx;
    // Whoever wrote `used` unlocks right after (Zuul), so the lock is most likely free by now.
    const { lock, record } = await this.lockNodeIfFree(action.node, this.ctx.nodes.get(action.node)?.state !== "used");
    const node = { ...record, id: action.node };
    this.deletions.set(node.id, lock);
    try {
      if (node.state === "deleted" || node.provider === null) {
        await zk.deleteNodeZnode(node.id);
        this.ctx.nodes.deleted(node.id);
        return;
      }
      if (!DELETABLE.has(node.state)) return;
      const deleting = node.state === "deleting" ? node : withNodeState(node, "deleting");
      await this.storeHeld({ ...deleting, id: node.id }, lock);
      if (node.externalId) {
        const provider = this.ctx.servers(node.provider);
        if (!provider) return;
        await this.ctx.rate(node.provider).slot();
        await provider.deleteServer(node.externalId as ServerId, this.halted.signal);
      }
      await this.removeRecord({ ...deleting, id: node.id }, lock);
      this.ctx.nodes.deleted(node.id);
      this.ctx.events.emit("node-deleted", { provider: node.provider, node: node.id });
    } finally {
      this.deletions.delete(node.id);
      // A node left in place (not deletable, provider gone) is watched again.
      await this.releaseNode(node.id, lock, this.ctx.nodes.get(node.id) !== undefined).catch(() => undefined);
    }
  }

  /**
   * Deletes a node record as Nodepool does (state `deleted`, then the znode with its lock
   * directory): the write, our contender's removal (the lock's release), the lock directory and
   * the node in one transaction; if anyone else is queued on the lock, step by step, and the
   * recursive delete takes them all (zookeeper.md §3.9).
   */
  private async removeRecord(node: NodeRecord & { readonly id: NodeId }, lock: ZkLock): Promise<void> {
    const { zk } = this.ctx;
    const release = lock.releaseOp;
    if (release) {
      try {
        this.ctx.nodes.writing(node.id);
        await zk.client.multi([
          storeNodeOp({ ...withNodeState(node, "deleted"), id: node.id }),
          release,
          { op: "delete", path: P.nodeLockPath(node.id) },
          { op: "delete", path: P.nodePath(node.id) },
        ]);
        lock.releasedWith();
        return;
      } catch (error) {
        // Someone is queued on the lock (NotEmpty), or the node went: the step-by-step way.
        if (!(error instanceof MultiOpError)) throw error;
      }
    }
    const deleted = this.storeHeld({ ...withNodeState(node, "deleted"), id: node.id }, lock);
    const remove = async (path: string): Promise<void> => {
      try {
        await zk.client.delete(path);
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
    };
    const removed = Promise.all([deleted, lock.release(), remove(P.nodeLockPath(node.id)), remove(P.nodePath(node.id))]);
    try {
      await removed;
    } catch (error) {
      if (!(error instanceof NotEmptyError)) throw error;
      await zk.deleteNodeZnode(node.id);
    }
  }

  private async removeEmptyNode(action: RemoveEmptyNode): Promise<void> {
    const { data } = await this.ctx.zk.client.get(P.nodePath(action.node));
    if (data.length === 0) await this.ctx.zk.deleteNodeZnode(action.node);
  }

  // ---- static hosts (inventory) -------------------------------------------------------------

  /** Liveness of a node's host before it is handed out; nodes of launched servers always pass. */
  private async hostAnswers(node: NodeRecord): Promise<boolean> {
    const inventory = node.provider === null ? undefined : this.ctx.inventory(node.provider);
    const host = inventory?.listHosts().find((h) => h.name === node.hostname && h.pool === node.pool);
    // A node of a host no longer offered is handed out as it is: its host was fine when registered.
    if (!inventory || !host) return true;
    return inventory.reachable(host, this.halted.signal);
  }

  private async inventory(action: InventoryAction): Promise<void> {
    switch (action.kind) {
      case "register-host":
        return this.registerHost(action);
      case "deregister-node":
        this.deregistering.add(action.node);
        return this.withNodeLock(action.node, async (record, lock) => {
          if (record.state !== "ready" || record.allocatedTo !== null) return;
          await this.storeHeld({ ...withNodeState(record, "deleting"), id: record.id }, lock);
        }).finally(() => this.deregistering.delete(action.node));
      case "update-node":
        return this.withNodeLock(action.node, async (record, lock) => {
          if (record.state !== "ready" || record.allocatedTo !== null) return;
          const { fields } = action;
          await this.storeHeld(
            {
              ...record,
              type: [...fields.type],
              username: fields.username,
              connectionType: fields.connection_type,
              connectionPort: fields.connection_port,
              hostKeys: fields.host_keys ? [...fields.host_keys] : record.hostKeys,
            },
            lock,
          );
        });
    }
  }

  /** Checks the host, then writes `count` ready records for it (behaviour.md §3B.2). */
  private async registerHost(action: RegisterHost): Promise<void> {
    const inventory = this.ctx.inventory(action.provider);
    const host = inventory?.listHosts().find((h) => h.name === action.host && h.pool === action.pool);
    if (!inventory || !host) return;
    const hosts = this.registering.get(action.provider) ?? new Map<string, number>();
    this.registering.set(action.provider, hosts);
    const count = (n: number): void => {
      const left = (hosts.get(action.host) ?? 0) + n;
      if (left > 0) hosts.set(action.host, left);
      else hosts.delete(action.host);
    };
    let pending = action.count;
    count(pending);
    try {
      // A host that fails its check is logged by its driver, once per change, and not registered.
      const fields = await inventory.register(host, this.halted.signal).catch((error: unknown) => {
        if (error instanceof HostCheckError) return null;
        throw error;
      });
      if (!fields) return;
      const attributes = this.ctx.poolAttributes(poolKey(action.provider, action.pool));
      for (; pending > 0; pending--, count(-1)) {
        const created = await this.ctx.zk.storeNode(
          newNode({
            state: "ready",
            provider: action.provider,
            pool: action.pool,
            type: [...host.labels],
            launcher: STATIC_LAUNCHER,
            hostname: fields.hostname,
            interfaceIp: fields.interface_ip,
            publicIpv4: fields.public_ipv4,
            publicIpv6: fields.public_ipv6,
            username: fields.username,
            connectionType: fields.connection_type,
            connectionPort: fields.connection_port,
            hostKeys: fields.host_keys,
            attributes,
          }),
        );
        const id = created.id as NodeId;
        this.ctx.nodes.wrote(id, { ...created, id });
        this.ctx.log.info({ node: id, provider: action.provider, pool: action.pool, host: action.host }, "static node registered");
      }
    } finally {
      count(-pending);
    }
  }

  private async leakedServer(action: LeakedServer): Promise<void> {
    // The plan saw the server in a listing taken before the cleanup pass; a node deleted since
    // lost its server before its record, so a server still listed now, after its record was
    // seen gone, is the only real leak (else: a false leak record and leaked.instances count).
    // Nor is a server whose node record our cache has not seen yet: another launcher records the
    // node before it creates the server, so the record is in ZooKeeper itself (read, not cached).
    const provider = this.ctx.servers(action.provider);
    if (!provider) return;
    if ((await this.ctx.zk.client.exists(P.nodePath(action.node))) !== null) return;
    await this.ctx.rate(action.provider).slot();
    if (!(await provider.listServers(this.halted.signal)).some((server) => server.id === action.server)) return;
    await this.ctx.zk.storeNode(newNode({ state: "deleting", provider: action.provider, externalId: action.server }));
    this.ctx.events.emit("leak", { provider: action.provider, kind: "instances", count: 1 });
  }
}

/**
 * Creates an empty lock directory ahead of the lock, an optimisation only: when it exists, or
 * its parent does not (yet), the lock's own directory handling takes over.
 */
async function createIfMissing(zk: NodepoolZk, path: string): Promise<void> {
  try {
    await zk.client.create(path);
  } catch (error) {
    if (!(error instanceof NodeExistsError || error instanceof NoNodeError)) throw error;
  }
}

/**
 * Waits for every promise, then throws the first failure: an accept or continue ends, and its
 * commitments lapse, only once each of its node creations has settled.
 */
async function settleAll(work: readonly Promise<unknown>[]): Promise<void> {
  for (const outcome of await Promise.allSettled(work)) if (outcome.status === "rejected") throw outcome.reason;
}

function mergeDeclined(existing: readonly LauncherId[], added: readonly LauncherId[]): LauncherId[] {
  const merged = [...existing];
  for (const id of added) if (!merged.includes(id)) merged.push(id);
  return merged;
}
