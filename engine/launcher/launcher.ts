/**
 * The launcher: one level-triggered reconcile loop (observe → plan → execute) over the nodes
 * and requests in ZooKeeper and the configured providers. A pass runs on any watch event,
 * action completion or timer (max-ready-age and hold deadlines, the cleanup interval),
 * debounced to one pass per turn of the event loop; the periodic intervals only bound duties
 * that have no event (leak scans, lost requests, stale locks, retrying busy locks).
 */
import { hostname } from "node:os";
import type { NodepoolConfig, ProviderConfig } from "../../schema/index.ts";
import { describeProvider, type ApiCallSink, type ProviderContext, type BootImage, type Provider, type ProviderTraits, type Resources, type Server } from "../drivers/index.ts";
import type { Logger } from "../log.ts";
import { ImageCache, launcherCache, nodeCache, requestCache, type LauncherCache, type NodeCache, type RequestCache } from "../zk/caches.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import * as P from "../zk/paths.ts";
import type { Action } from "../reconcile/actions.ts";
import { desiredFromConfig, supportedLabels, type LauncherIdentity } from "../reconcile/desired.ts";
import { EngineEventEmitter, type ActionEvent } from "../reconcile/events.ts";
import { logActivity } from "./activity-log.ts";
import { Executor } from "../reconcile/executor.ts";
import { nextDeadline, plan } from "../reconcile/plan.ts";
import type { BackoffOptions } from "../reconcile/backoff.ts";
import { ProviderLifecycle } from "../reconcile/providers.ts";
import { RateLimiter } from "../reconcile/rate.ts";
import { labelKey, NO_LIMIT, poolKey, type Desired, type InventoryObserved, type Observed, type PoolDesired, type ProviderObserved } from "../reconcile/state.ts";
import { MIN_READY_RETRY_S } from "./min-ready.ts";
import { nodepoolQuota } from "./quota.ts";

export interface LauncherOptions {
  zk: NodepoolZk;
  config: NodepoolConfig;
  log: Logger;
  identity?: LauncherIdentity;
  /** Leak scans, lost requests, empty znodes, stale request locks (reference: 60 s). */
  cleanupIntervalMs?: number;
  /** Retry of objects whose lock was busy when no release was seen (reference delete worker: 5 s). */
  retryIntervalMs?: number;
  /** Cloud quota cache lifetime (reference: 300 s). */
  quotaCacheMs?: number;
  /** Request-lock directories older than this without a request are removed (8 h). */
  staleRequestLockMs?: number;
  /** Wait after a failed min-ready request before the label's next one (reference: 10 s). */
  minReadyRetryMs?: number;
  /** Backoff between start attempts of a provider that cannot start (1 s doubling to 5 min). */
  providerRetry?: BackoffOptions;
  /** Backoff between the tries of an object whose action keeps failing (1 s doubling to 5 min). */
  actionRetry?: BackoffOptions;
  /** Where each provider's driver reports its cloud API calls (the metrics). */
  apiCalls?: (provider: string) => ApiCallSink;
  /** Passed to every provider this launcher starts (the logger is the launcher's). */
  providerContext?: Omit<ProviderContext, "log">;
}

/** A configured provider as the launcher runs it: started, or why not (the status page). */
export interface ProviderRunState {
  readonly name: string;
  readonly started: boolean;
  /** Why it is not started, with its next try; null when started. */
  readonly reason: string | null;
}

/** The launcher's watched caches, read-only for views (status page, metrics). */
export interface LauncherCaches {
  readonly nodes: NodeCache;
  readonly requests: RequestCache;
  readonly launchers: LauncherCache;
  readonly images: ImageCache;
}

interface RunningProvider {
  config: ProviderConfig;
  traits: ProviderTraits;
  provider: Provider;
  rate: RateLimiter;
  observed: ProviderObserved;
  quotaAt: number;
  limits: Resources;
  servers: readonly Server[];
}

/** Gap between passes, in multiples of the last pass's duration. */
const PASS_SPACING = 3;

const DEFAULTS = {
  cleanupIntervalMs: 60_000,
  retryIntervalMs: 5_000,
  quotaCacheMs: 300_000,
  staleRequestLockMs: 8 * 3600_000,
  minReadyRetryMs: MIN_READY_RETRY_S * 1000,
};

export class Launcher {
  readonly events = new EngineEventEmitter();
  readonly log: Logger;
  private readonly zk: NodepoolZk;
  private readonly identity: LauncherIdentity;
  private readonly options: typeof DEFAULTS;
  private config: NodepoolConfig;
  /** The config's desired state, every provider. */
  private configured: Desired;
  /** What passes plan with: the configured state less the providers that do not run (no pool worker). */
  private desired: Desired;
  private readonly lifecycle: ProviderLifecycle;
  /** The running providers, with the launcher's view of each. */
  private readonly providers = new Map<string, RunningProvider>();
  private readonly executor: Executor;
  private readonly nodes: NodeCache;
  private readonly requests: RequestCache;
  private readonly launchers: LauncherCache;
  /** Ready uploads to boot from (behaviour.md §3.1 step 1). */
  private readonly images: ImageCache;
  private readonly lockWatches = new Set<string>();
  /** Locks whose watch fired since they were last probed. */
  private readonly lockChanged = new Set<string>();
  /** mtime (ms) of request-lock directories already looked at. */
  private readonly lockDirMtimes = new Map<string, number>();
  /** When each pool last had room freed (epoch seconds), for min-ready retries. */
  private readonly roomFreed = new Map<string, number>();
  private scheduled = false;
  private stopped = false;
  private lastPassEnd = 0;
  private lastPassMs = 0;
  private cleanupDue = false;
  private sweepDue = true;
  private readyFlag = false;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly intervals: NodeJS.Timeout[] = [];
  private offSession: (() => void) | undefined;
  private offState: (() => void) | undefined;

  constructor(options: LauncherOptions) {
    this.zk = options.zk;
    this.log = options.log;
    this.config = options.config;
    this.identity = options.identity ?? { hostname: hostname(), pid: process.pid };
    this.options = {
      cleanupIntervalMs: options.cleanupIntervalMs ?? DEFAULTS.cleanupIntervalMs,
      retryIntervalMs: options.retryIntervalMs ?? DEFAULTS.retryIntervalMs,
      quotaCacheMs: options.quotaCacheMs ?? DEFAULTS.quotaCacheMs,
      staleRequestLockMs: options.staleRequestLockMs ?? DEFAULTS.staleRequestLockMs,
      minReadyRetryMs: options.minReadyRetryMs ?? DEFAULTS.minReadyRetryMs,
    };
    this.configured = this.desiredOf(this.config);
    this.desired = this.configured;
    this.lifecycle = new ProviderLifecycle({
      log: this.log,
      context: { ...options.providerContext, log: this.log },
      ...(options.apiCalls === undefined ? {} : { apiCalls: options.apiCalls }),
      ...(options.providerRetry === undefined ? {} : { retry: options.providerRetry }),
      onStarted: (provider, config) => this.providerStarted(provider, config),
      onStopping: (name) => {
        this.providers.delete(name);
        this.desired = this.runningDesired();
      },
    });
    const client = this.zk.client;
    const top = { log: this.log, create: true };
    this.nodes = nodeCache(client, top);
    this.nodes.onChange((change) => {
      const { kind, id } = change;
      if (kind === "removed") {
        this.lockChanged.delete(id);
        this.executor.backoff.forget(id);
        const { provider, pool } = change.previous;
        if (provider !== null && pool !== null) this.roomFreed.set(poolKey(provider, pool), Date.now() / 1000);
      }
      // A node whose lock we watch stays busy until the lock is released, whatever it changes to.
      if (!this.lockWatches.has(id)) this.executor.clearBusy(id);
      this.trigger("node changed");
    });
    this.requests = requestCache(client, top);
    this.requests.onChange(({ kind, id }) => {
      this.executor.clearBusy(id);
      if (kind === "removed") {
        this.executor.pruneMinReady(id);
        this.executor.backoff.forget(id);
      }
      this.trigger("request changed");
    });
    this.requests.onMalformed((id) => {
      this.executor.clearBusy(id);
      this.trigger("malformed request");
    });
    this.launchers = launcherCache(client, top);
    this.launchers.onChange(() => this.trigger("launcher changed"));
    this.images = new ImageCache(client);
    this.images.onChange((change) => {
      if (change.kind === "upload") this.trigger("upload changed");
    });
    this.executor = new Executor({
      zk: this.zk,
      log: this.log,
      events: this.events,
      servers: (name) => this.providers.get(name)?.provider.servers,
      inventory: (name) => this.providers.get(name)?.provider.inventory,
      rate: (name) => this.providers.get(name)?.rate ?? new RateLimiter(0),
      launchRetries: (name) => this.providers.get(name)?.traits.launchRetries ?? 3,
      pool: (key) => this.pools().get(key),
      poolAttributes: (key) => this.poolAttributes(key),
      bootImage: (pool, label) => this.bootImage(pool, label),
      launcherIds: () => [...this.launchers.map.keys()],
      nodes: this.nodes,
      requests: this.requests,
      trigger: (reason) => this.trigger(reason),
      watchLock: (key, path) => this.watchLock(key, path),
      probeLock: (key, path) => this.probeLock(key, path),
      ...(options.actionRetry === undefined ? {} : { retry: options.actionRetry }),
    });
  }

  /** True once the loop runs and every provider is started and registered (the web app's `/ready`). */
  get ready(): boolean {
    return this.notReadyReason() === null;
  }

  /** Why the launcher is not ready (a provider that cannot start names itself and why), or null. */
  notReadyReason(): string | null {
    if (!this.readyFlag) return "the launcher is starting";
    const down = this.lifecycle.notReady();
    if (down.length === 0) return null;
    return down
      .map(({ provider, reason, retryAt }) => `provider ${provider}: ${reason}${retryAt === null ? "" : ` (next try at ${new Date(retryAt * 1000).toISOString()})`}`)
      .join("; ");
  }

  get currentConfig(): NodepoolConfig {
    return this.config;
  }

  /** The watched caches the loop runs on; views subscribe to their changes. */
  get caches(): LauncherCaches {
    return { nodes: this.nodes, requests: this.requests, launchers: this.launchers, images: this.images };
  }

  /** Every configured provider, started or not and why (the provider lifecycle's word). */
  providerStates(): ProviderRunState[] {
    const down = new Map(this.lifecycle.notReady().map((n) => [n.provider, n]));
    return this.config.providers.map(({ name }) => {
      if (this.providers.has(name)) return { name, started: true, reason: null };
      const why = down.get(name);
      if (why === undefined) return { name, started: false, reason: "starting" };
      const retry = why.retryAt === null ? "" : ` (next try at ${new Date(why.retryAt * 1000).toISOString()})`;
      return { name, started: false, reason: `${why.reason}${retry}` };
    });
  }

  /**
   * Loads the watched state and starts the providers, without registering or running passes:
   * enough for `plan()` and `runOnce()` (`nodepool plan` / `apply`).
   */
  async prepare(): Promise<void> {
    await Promise.all([this.nodes.start(), this.requests.start(), this.launchers.start(), this.images.start()]);
    await this.syncProviders();
  }

  async start(): Promise<void> {
    await this.prepare();
    await this.register();
    this.offSession = this.zk.client.onSession(() => {
      // A new session: every lock and ephemeral znode of the old one is gone.
      this.executor.forgetLocks();
      this.register().catch((error: unknown) => this.log.error({ err: error }, "re-registering launchers failed"));
      this.trigger("new session");
    });
    // While ZooKeeper is unreachable the caches are stale and no action could record its intent:
    // passes wait (behaviour.md §2.2 step 3) and resume as soon as the connection is back.
    this.offState = this.zk.client.onState((state) => {
      if (state === "connected") this.trigger("ZooKeeper connected");
      else if (state === "suspended" || state === "expired") this.log.warn({ state }, "ZooKeeper unreachable: reconcile passes wait for it");
    });
    this.intervals.push(
      setInterval(() => void this.cleanup(), this.options.cleanupIntervalMs),
      setInterval(() => {
        this.executor.clearAllBusy();
        this.sweepDue = true;
        this.trigger("retry interval");
      }, this.options.retryIntervalMs),
    );
    logActivity(this.events, this.log);
    this.events.on("launch", (event) => {
      // A failed launch may mean stale cached cloud state: quota exceeded (behaviour.md §2.12),
      // or a 400 for a zone the cloud no longer has (§3.4). Re-read it; not for a launch given up
      // at a graceful stop, which says nothing of the cloud and would call it while shutting down.
      const running = this.providers.get(event.provider);
      if (event.result !== "ready" && event.result !== "abandoned" && running) void this.refreshProvider(running, true).then(() => this.trigger("provider refreshed"));
    });
    this.readyFlag = true;
    this.cleanupDue = true;
    this.trigger("start");
  }

  /** Applies a new config: changed providers get a new driver, unchanged ones keep theirs (§8.4). */
  async reconfigure(config: NodepoolConfig): Promise<void> {
    this.config = config;
    this.configured = this.desiredOf(config);
    this.desired = this.runningDesired();
    // Limits may have grown: labels whose min-ready requests failed may try again at once.
    const now = Date.now() / 1000;
    for (const provider of this.configured.providers) for (const pool of provider.pools) this.roomFreed.set(pool.key, now);
    await this.syncProviders();
    await this.register();
    this.trigger("config changed");
  }

  /** Stops the loop, releases what this process holds and withdraws its registrations; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.readyFlag = false;
    for (const timer of this.intervals) clearInterval(timer);
    this.intervals.length = 0;
    clearTimeout(this.deadlineTimer);
    this.offSession?.();
    this.offState?.();
    await this.executor.stop();
    this.nodes.close();
    this.requests.close();
    this.launchers.close();
    this.images.close();
    await this.lifecycle.stop();
    for (const id of this.launcherIds()) await this.zk.unregisterLauncher(id).catch(() => undefined);
  }

  /** The state plan() sees now. */
  observe(): Observed {
    const providers = new Map<string, ProviderObserved>();
    for (const [name, running] of this.providers) {
      providers.set(name, { ...running.observed, servers: this.cleanupDue ? running.servers : null });
    }
    return {
      // The caches' own maps, keyed by znode name (= the id): no copy per pass.
      nodes: this.nodes.map,
      requests: this.requests.map,
      launchers: this.launchers.values(),
      readyUploads: this.images.readyUploads(),
      providers,
      inventories: this.inventories(),
      handlers: this.executor.handlerView,
      heldNodes: this.executor.heldNodes(),
      busy: this.executor.busy,
      minReady: this.executor.minReadyView,
      minReadyFailed: this.executor.minReadyFailedView,
      roomFreed: this.roomFreed,
      committed: this.executor.committedView,
      emptyNodes: this.nodes.emptyChildren(),
      malformedRequests: this.requests.malformedChildren(),
      cleanupDue: this.cleanupDue,
      sweepDue: this.sweepDue,
      backoff: this.executor.backoff.pending(Date.now() / 1000),
    };
  }

  private inventories(): Map<string, InventoryObserved> {
    const inventories = new Map<string, InventoryObserved>();
    for (const [name, { provider }] of this.providers) {
      if (provider.inventory) inventories.set(name, { hosts: provider.inventory.listHosts(), ...this.executor.inventoryView(name) });
    }
    return inventories;
  }

  /** The actions the next pass would take, without taking them (`nodepool plan`). */
  plan(now: number = Date.now() / 1000): Action[] {
    return plan(this.desired, this.observe(), now);
  }

  /**
   * Runs one pass and waits until its actions, and the launches they started, are done
   * (`nodepool apply`). `onAction` sees each action as it finishes.
   */
  async runOnce(onAction?: (event: ActionEvent) => void): Promise<Action[]> {
    const actions = this.plan();
    this.cleanupDue = false;
    this.sweepDue = false;
    if (onAction) this.events.on("action", onAction);
    try {
      await this.executor.run(actions.filter((action) => action.retry === undefined));
      await this.executor.idle();
    } finally {
      if (onAction) this.events.off("action", onAction);
    }
    return actions;
  }

  /**
   * Asks for a pass soon; many triggers make one pass. An idle launcher passes at once; a busy
   * one waits PASS_SPACING times as long as its last pass took, so planning takes at most a
   * quarter of the CPU and events arriving meanwhile are handled together.
   */
  trigger(reason: string): void {
    if (this.scheduled || !this.readyFlag) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      this.pass(reason);
    };
    const wait = this.lastPassEnd + PASS_SPACING * this.lastPassMs - performance.now();
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  private pass(reason: string): void {
    if (!this.readyFlag || this.zk.client.state !== "connected") return;
    try {
      const started = performance.now();
      const now = Date.now() / 1000;
      const observed = this.observe();
      const actions = plan(this.desired, observed, now);
      this.cleanupDue = false;
      this.sweepDue = false;
      this.events.emit("pass", { actions: actions.length, planMs: performance.now() - started });
      if (actions.length > 0) this.log.debug({ reason, actions: actions.length }, "reconcile pass");
      for (const action of actions) if (action.retry === undefined) void this.executor.start(action);
      this.scheduleDeadline(observed, now);
      this.lastPassEnd = performance.now();
      this.lastPassMs = this.lastPassEnd - started;
    } catch (error) {
      this.log.error({ err: error }, "reconcile pass failed");
    }
  }

  private scheduleDeadline(observed: Observed, now: number): void {
    clearTimeout(this.deadlineTimer);
    const deadline = nextDeadline(this.desired, observed, now);
    const retry = this.executor.backoff.nextDue(now);
    const next = deadline === null ? retry : retry === null ? deadline : Math.min(deadline, retry);
    if (next === null) return;
    this.deadlineTimer = setTimeout(() => this.trigger("deadline"), Math.min((next - now) * 1000 + 5, 2 ** 31 - 1));
  }

  private async probeLock(key: string, path: string): Promise<boolean> {
    if (this.lockWatches.has(key)) return true;
    // Its watch just fired: worth a lock attempt without looking first (a failed attempt watches again).
    if (this.lockChanged.delete(key)) return false;
    this.lockWatches.add(key);
    const release = (): void => {
      this.lockWatches.delete(key);
      this.lockChanged.add(key);
      this.executor.clearBusy(key);
      this.trigger("lock released");
    };
    let contenders: string[];
    try {
      contenders = await this.zk.client.getChildren(path, release);
    } catch {
      contenders = [];
    }
    if (contenders.length > 0) return true;
    // Free: the watch stays armed (it fires when we take the lock), but nobody waits on it.
    this.lockWatches.delete(key);
    return false;
  }

  private watchLock(key: string, path: string): void {
    if (this.lockWatches.has(key)) return;
    this.lockWatches.add(key);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.lockWatches.delete(key);
      this.executor.clearBusy(key);
      this.trigger("lock released");
    };
    // No contender left: released between our attempt and this listing, so no event will come.
    this.zk.client.getChildren(path, release).then((contenders) => {
      if (contenders.length === 0) release();
    }, release);
  }

  // ---- periodic duties --------------------------------------------------------------------

  private async cleanup(): Promise<void> {
    await Promise.all([...this.providers.values()].map((running) => this.refreshProvider(running, true)));
    await this.removeStaleRequestLocks().catch((error: unknown) => this.log.warn({ err: error }, "stale request lock cleanup failed"));
    await this.register().catch((error: unknown) => this.log.warn({ err: error }, "launcher registration failed"));
    for (const running of this.providers.values()) {
      const leaks = running.provider.leaks;
      if (leaks === undefined) continue;
      try {
        const leaked = await leaks.cleanupLeakedResources(this.lifecycle.signal);
        if (leaked.ports > 0) this.events.emit("leak", { provider: running.config.name, kind: "ports", count: leaked.ports });
        if (leaked.floatingIps > 0) this.events.emit("leak", { provider: running.config.name, kind: "floatingips", count: leaked.floatingIps });
      } catch (error) {
        this.log.warn({ err: error, provider: running.config.name }, "leaked resource cleanup failed");
      }
    }
    this.cleanupDue = true;
    this.trigger("cleanup interval");
  }

  /**
   * Request-lock directories outlive their requests; remove those older than 8 h whose
   * request is gone (behaviour.md §2.17). Each directory's mtime is read once and remembered,
   * so a pass costs one listing, not one read per directory.
   */
  private async removeStaleRequestLocks(): Promise<void> {
    const ids = await this.zk.getRequestLockIds();
    const present = new Set<string>(ids);
    for (const id of this.lockDirMtimes.keys()) if (!present.has(id)) this.lockDirMtimes.delete(id);
    for (const id of ids) {
      if (this.requests.has(id)) continue;
      let mtime = this.lockDirMtimes.get(id);
      if (mtime === undefined) {
        const stat = await this.zk.getRequestLockStat(id);
        if (!stat) continue;
        mtime = stat.mtime.getTime();
        this.lockDirMtimes.set(id, mtime);
      }
      if (Date.now() - mtime > this.options.staleRequestLockMs && !(await this.zk.getNodeRequest(id))) {
        await this.zk.deleteRequestLock(id);
        this.lockDirMtimes.delete(id);
      }
    }
  }

  // ---- providers --------------------------------------------------------------------------

  private async syncProviders(): Promise<void> {
    await this.lifecycle.sync(this.config.providers);
  }

  /** A provider runs (at start, after a failed start's retry, or restarted with a changed config). */
  private async providerStarted(provider: Provider, config: ProviderConfig): Promise<void> {
    const running: RunningProvider = {
      config,
      traits: provider.traits,
      provider,
      rate: new RateLimiter(provider.traits.rate * 1000),
      observed: { quota: NO_LIMIT, labelResources: new Map(), cloudImages: new Set(), availabilityZones: [], servers: null },
      quotaAt: 0,
      limits: NO_LIMIT,
      servers: [],
    };
    this.providers.set(provider.name, running);
    this.desired = this.runningDesired();
    provider.inventory?.watch(() => this.trigger("static hosts changed"));
    await this.refreshProvider(running, true);
    if (!this.readyFlag) return;
    await this.register().catch((error: unknown) => this.log.warn({ err: error }, "launcher registration failed"));
    this.trigger("provider started");
  }

  private runningDesired(): Desired {
    return { ...this.configured, providers: this.configured.providers.filter((p) => this.providers.has(p.name)) };
  }

  /** Re-reads a provider's limits, servers, flavors and cloud images (quota cache, §2.12). */
  private async refreshProvider(running: RunningProvider, listServers: boolean): Promise<void> {
    const { config } = running;
    const { servers, quota: quotaSource } = running.provider;
    const signal = this.lifecycle.signal;
    try {
      const labelResources = new Map<string, Resources>();
      const cloudImages = new Set<string>();
      for (const pool of this.desired.providers.find((p) => p.name === config.name)?.pools ?? []) {
        for (const [label, image] of pool.labels) {
          if (servers) labelResources.set(labelKey(pool.name, label), await servers.labelResources(pool.name, label, signal).catch(() => ({ cores: 0, instances: 1, ram: 0 })));
          if (image.kind === "cloud-image" && servers && (await servers.cloudImageAvailable(image.cloudImage, signal))) cloudImages.add(image.cloudImage);
        }
      }
      if (listServers || Date.now() - running.quotaAt > this.options.quotaCacheMs) {
        running.limits = quotaSource ? await quotaSource.limits(signal) : NO_LIMIT;
        running.servers = servers ? await servers.listServers(signal) : [];
        running.quotaAt = Date.now();
      }
      const quota = nodepoolQuota(running.limits, running.servers, config.name, (id) => this.nodes.has(id));
      const availabilityZones = servers ? await servers.availabilityZones(signal) : [];
      running.observed = { quota, labelResources, cloudImages, availabilityZones, servers: null };
    } catch (error) {
      this.log.warn({ err: error, provider: config.name }, "refreshing provider state failed");
    }
  }

  private desiredOf(config: NodepoolConfig): Desired {
    return { ...desiredFromConfig(config, this.identity), minReadyRetryDelay: this.options.minReadyRetryMs / 1000 };
  }

  private pools(): Map<string, PoolDesired> {
    const pools = new Map<string, PoolDesired>();
    for (const provider of this.desired.providers) for (const pool of provider.pools) pools.set(pool.key, pool);
    return pools;
  }

  private poolAttributes(key: string): Readonly<Record<string, unknown>> | null {
    for (const provider of this.config.providers) {
      const traits = this.providers.get(provider.name)?.traits ?? describeProvider(provider);
      for (const pool of traits.pools) if (poolKey(provider.name, pool.name) === key) return pool.nodeAttributes;
    }
    return null;
  }

  private bootImage(pool: PoolDesired, label: string): BootImage | null {
    const image = pool.labels.get(label);
    if (!image || image.kind === "none") return null;
    if (image.kind === "cloud-image") return { kind: "cloud-image", name: image.cloudImage };
    const upload = this.images.mostRecentUpload(image.diskimage, pool.provider);
    if (upload?.id === undefined || !upload.externalId) return null;
    return {
      kind: "diskimage",
      name: image.diskimage,
      uploadPath: P.uploadPath(image.diskimage, upload.buildId, pool.provider, upload.id),
      externalId: upload.externalId,
      username: upload.username,
    };
  }

  private launcherIds() {
    return this.configured.providers.flatMap((p) => p.pools.map((pool) => pool.launcherId));
  }

  /**
   * Registers the pool worker of every running provider's pools with the labels of the whole
   * config (§2.20), and withdraws the others (removed, or their provider not running).
   */
  private async register(): Promise<void> {
    const labels = supportedLabels(this.configured);
    const wanted = new Set<string>();
    for (const provider of this.desired.providers) {
      for (const pool of provider.pools) {
        wanted.add(pool.launcherId);
        await this.zk.registerLauncher({ id: pool.launcherId, providerName: provider.name, supportedLabels: labels, extra: {} });
        this.events.emit("pool", { provider: provider.name, pool: pool.name, maxServers: pool.maxServers });
      }
    }
    const prefix = `${this.identity.hostname}-${this.identity.pid}-PoolWorker.`;
    for (const launcher of this.launchers.map.values()) {
      if (launcher.id.startsWith(prefix) && !wanted.has(launcher.id)) await this.zk.unregisterLauncher(launcher.id);
    }
  }
}
