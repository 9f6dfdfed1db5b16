/**
 * The stats worker (behaviour.md §2.19): every launcher with statsd enabled enters the leader
 * election on `/nodepool/elections/stats` (kazoo's Election, zookeeper.md §3.10) as
 * `<hostname>-<pid>`, and only the leader sends the node gauges (§7.2). It reports when it
 * becomes leader, whenever the node cache changes (at most once per `minIntervalMs`, like the
 * reference's 1 s sleep after each report) and every `refreshIntervalMs` without changes.
 */
import { hostname } from "node:os";
import type { Logger } from "../log.ts";
import { ClientClosedError } from "../zk/errors.ts";
import type { ZkLock } from "../zk/lock.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import type { StatsClient } from "./client.ts";
import { nodeGauges, type LauncherCounted, type NodeCounted } from "./node-gauges.ts";

/** What the gauges are computed from: a watched cache of nodes and launcher registrations. */
export interface NodeStatsView {
  snapshot(): { nodes: Iterable<NodeCounted>; launchers: Iterable<LauncherCounted> };
  /** Subscribes to "nodes or registrations may have changed"; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export interface StatsWorkerOptions {
  zk: NodepoolZk;
  client: StatsClient;
  view: NodeStatsView;
  log: Logger;
  /** Election identifier; default `<hostname>-<pid>`. */
  identifier?: string;
  /** Reports are at least this far apart (reference: 1 s). */
  minIntervalMs?: number;
  /** A report goes out this often even without changes, so graphs stay current. */
  refreshIntervalMs?: number;
}

/** After an election attempt fails while connected, wait this long before the next one. */
const RETRY_MS = 1000;

export class StatsWorker {
  private readonly options: Required<StatsWorkerOptions>;
  private readonly abort = new AbortController();
  private readonly stopped: Promise<void>;
  private markStopped: () => void = () => undefined;
  private campaigning: Promise<void> | undefined;
  private leader = false;
  private lastReport = -Infinity;
  private pending: NodeJS.Timeout | undefined;

  constructor(options: StatsWorkerOptions) {
    this.options = {
      zk: options.zk,
      client: options.client,
      view: options.view,
      log: options.log,
      identifier: options.identifier ?? `${hostname()}-${process.pid}`,
      minIntervalMs: options.minIntervalMs ?? 1000,
      refreshIntervalMs: options.refreshIntervalMs ?? 60_000,
    };
    this.stopped = new Promise((resolve) => {
      this.markStopped = resolve;
    });
  }

  /** True while this process is the stats leader. */
  get leading(): boolean {
    return this.leader;
  }

  /** Enters the election in the background; leadership is kept until `stop` or a lost session. */
  start(): void {
    this.campaigning ??= this.campaign();
  }

  /** Leaves the election (releasing leadership) and stops reporting. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.markStopped();
    await this.campaigning;
  }

  private get isStopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async campaign(): Promise<void> {
    const { zk, log, identifier } = this.options;
    while (!this.isStopped) {
      const lock = zk.statsElection(identifier);
      let won: boolean;
      try {
        won = await lock.acquire({ signal: this.abort.signal });
      } catch (error) {
        if (this.isStopped || error instanceof ClientClosedError) return;
        log.warn({ err: error }, "stats election interrupted; entering it again once connected");
        if (!(await this.reconnected())) return;
        continue;
      }
      if (!won) return;
      await this.leadUntilLost(lock);
      if (this.isStopped) return;
      log.warn("stats leadership lost with the ZooKeeper session; entering the election again");
      if (!(await this.reconnected())) return;
    }
  }

  private async leadUntilLost(lock: ZkLock): Promise<void> {
    let offLost: () => void = () => undefined;
    const lost = new Promise<void>((resolve) => {
      offLost = lock.onLost(() => resolve());
      if (lock.lost) resolve();
    });
    this.options.log.info({ identifier: this.options.identifier }, "stats leader: reporting node gauges");
    this.leader = true;
    const offChange = this.options.view.onChange(() => this.schedule());
    const refresh = setInterval(() => this.schedule(), this.options.refreshIntervalMs);
    this.schedule();
    await Promise.race([lost, this.stopped]);
    offLost();
    this.leader = false;
    offChange();
    clearInterval(refresh);
    clearTimeout(this.pending);
    this.pending = undefined;
    if (lock.held) await lock.release().catch((error: unknown) => this.options.log.warn({ err: error }, "releasing the stats election failed"));
  }

  /** Waits for a connection (false if the worker stops or the client closes first), then a pause. */
  private async reconnected(): Promise<boolean> {
    const connected = this.options.zk.client.waitConnected().then(
      () => true,
      () => false,
    );
    if (!(await Promise.race([connected, this.stopped.then(() => false)]))) return false;
    let pause: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (pause = setTimeout(resolve, RETRY_MS))), this.stopped]);
    clearTimeout(pause);
    return !this.isStopped;
  }

  private schedule(): void {
    if (!this.leader || this.pending !== undefined) return;
    const delay = Math.max(0, this.lastReport + this.options.minIntervalMs - performance.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.report();
    }, delay);
  }

  private report(): void {
    if (!this.leader) return;
    this.lastReport = performance.now();
    try {
      const { nodes, launchers } = this.options.view.snapshot();
      this.options.client.send(nodeGauges(nodes, launchers));
    } catch (error) {
      this.options.log.warn({ err: error }, "reporting node gauges failed");
    }
  }
}
