/**
 * The builder controller (behaviour.md §4): each pass observes the image tree, plans
 * (plan.ts) and carries out the plan — builds on up to `build-workers` at once, uploads on up
 * to `upload-workers`, deletions in the pass itself. A pass runs when a watched znode changes,
 * a build or upload ends, the config changes, a rebuild-age or retry falls due, or the
 * periodic cleanup comes round; never on a fixed poll.
 */
import { hostname as osHostname } from "node:os";
import type { ApiCallSink, ImageStore } from "../drivers/index.ts";
import type { Logger } from "../log.ts";
import { Backoff } from "../reconcile/backoff.ts";
import { ProviderLifecycle } from "../reconcile/providers.ts";
import type { StatsClient } from "../stats/client.ts";
import { attachTaskStats } from "../stats/task.ts";
import { buildDisplayName } from "../zk/ids.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import { epochSeconds } from "../zk/records/_codec.ts";
import type { NodepoolConfig } from "../../schema/index.ts";
import type { BuilderContext } from "./context.ts";
import { BuilderEventEmitter } from "./events.ts";
import { builderDesired } from "./desired.ts";
import { dispatchBuilderAction } from "./dispatch.ts";
import { localBuilds } from "./local-files.ts";
import { observeImages, WatchSet } from "./observe.ts";
import { planBuilder, type BuilderAction } from "./plan.ts";
import { uploadTarget, type BuilderDesired, type BuilderObserved } from "./state.ts";

export interface BuilderOptions {
  zk: NodepoolZk;
  config: NodepoolConfig;
  secretPaths?: readonly string[];
  builderId: string;
  imagesDir: string;
  log: Logger;
  stats: StatsClient;
  dibCommand: string;
  buildWorkers?: number;
  uploadWorkers?: number;
  /** Deletions on (the reference's cleanup worker); tests turn it off to see failed records. */
  cleanup?: boolean;
  /** Delay before a failed build or upload is tried again (the reference's 10 s pass), doubling with each further failure up to 5 min. */
  retryDelayMs?: number;
  /** The periodic pass for what no watch reports (a lock freed by a crashed builder); 60 s. */
  periodicMs?: number;
  hostname?: string;
  /** Where each provider's driver reports its cloud API calls (the metrics). */
  apiCalls?: (provider: string) => ApiCallSink;
}

const DEBOUNCE_MS = 20;
/** The longest wait before a build or upload that keeps failing is tried again. */
const MAX_RETRY_MS = 300_000;
/** setTimeout's limit; a rebuild-age further away is re-armed on a later pass. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Builder {
  readonly events = new BuilderEventEmitter();
  private config: NodepoolConfig;
  private secretPaths: readonly string[];
  /** The providers that take images; one that fails to start is retried, its uploads wait. */
  private readonly providers: ProviderLifecycle;
  private readonly watches: WatchSet;
  /** Failed builds (`<image>`) and uploads (`<image>/<provider>`) back off; the plan waits for `retryAfter`. */
  private readonly backoff: Backoff;
  private readonly retryAfter = new Map<string, number>();
  private readonly buildsInFlight = new Map<string, Promise<void>>();
  /** Display names of the builds this process is making (never cleaned up under it). */
  private readonly buildingIds = new Set<string>();
  private readonly uploadsInFlight = new Map<string, Promise<void>>();
  private readonly hostname: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopping = false;
  private offSession: (() => void) | undefined;
  /** Passes run so far (tests and the idle-CPU measurement read it). */
  passes = 0;

  constructor(private readonly options: BuilderOptions) {
    this.config = options.config;
    this.secretPaths = options.secretPaths ?? [];
    this.hostname = options.hostname ?? osHostname();
    const retryMs = options.retryDelayMs ?? 10_000;
    this.backoff = new Backoff({ initialMs: retryMs, maxMs: Math.max(retryMs, MAX_RETRY_MS) });
    this.watches = new WatchSet(() => this.schedule(DEBOUNCE_MS));
    this.providers = new ProviderLifecycle({
      log: options.log,
      select: (traits) => traits.abilities.has("images"),
      onStarted: () => this.schedule(0),
      ...(options.apiCalls === undefined ? {} : { apiCalls: options.apiCalls }),
    });
  }

  get currentConfig(): NodepoolConfig {
    return this.config;
  }

  async start(): Promise<void> {
    await this.providers.sync(this.config.providers);
    const client = this.options.zk.client;
    const offSession = client.onSession(() => {
      this.watches.reset();
      this.schedule(0);
    });
    // A closed connection ends the builder's work: nothing can be observed or locked any more.
    const offState = client.onState((state) => {
      if (state === "connected") this.schedule(0);
      if (state !== "closed") return;
      this.stopping = true;
      clearTimeout(this.timer);
    });
    const offTasks = attachTaskStats(this.options.stats);
    this.offSession = () => {
      offSession();
      offState();
      offTasks();
    };
    this.schedule(0);
  }

  /** Applies a new config from the next pass on. */
  async reconfigure(config: NodepoolConfig, secretPaths: readonly string[] = this.secretPaths): Promise<void> {
    this.config = config;
    this.secretPaths = secretPaths;
    await this.providers.sync(this.config.providers);
    this.schedule(0);
  }

  /** Stops planning, waits for running builds (an image command is never abandoned), stops providers. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.offSession?.();
    await this.running;
    await Promise.all(this.buildsInFlight.values());
    await this.providers.stop();
  }

  /** Waits until no pass, build or upload is running (tests). */
  async settled(): Promise<void> {
    while (this.running || this.buildsInFlight.size > 0 || this.uploadsInFlight.size > 0) {
      await Promise.all([this.running, ...this.buildsInFlight.values(), ...this.uploadsInFlight.values()]);
    }
  }

  /** Runs a pass soon; passes never overlap, and a request during a pass runs one more after it. */
  schedule(delayMs: number): void {
    if (this.stopping) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runPass(), delayMs);
  }

  private async runPass(): Promise<void> {
    if (this.stopping || this.running) return;
    let next = this.options.periodicMs ?? 60_000;
    this.running = (async () => {
      try {
        next = Math.min(next, await this.pass());
      } catch (error) {
        // A pass cut short by a lost connection is routine: reconnecting schedules the next one.
        const level = this.options.zk.client.state === "connected" ? "error" : "debug";
        this.options.log[level]({ err: error }, "builder pass failed; trying again shortly");
        next = Math.min(next, this.options.retryDelayMs ?? 10_000);
      }
    })();
    await this.running;
    this.running = undefined;
    this.passes += 1;
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else this.schedule(Math.min(MAX_TIMER_MS, Math.max(0, next)));
  }

  private context(): BuilderContext {
    return {
      zk: this.options.zk,
      log: this.options.log,
      stats: this.options.stats,
      events: this.events,
      builderId: this.options.builderId,
      hostname: this.hostname,
      imagesDir: this.options.imagesDir,
      dibCommand: this.options.dibCommand,
      config: this.config,
      secretPaths: this.secretPaths,
      providers: this.imageStores(),
      signal: this.providers.signal,
    };
  }

  /** One pass; returns the milliseconds until the next one is due without any event. */
  private async pass(): Promise<number> {
    // While disconnected nothing can be observed or locked; reconnecting schedules the next pass.
    if (this.options.zk.client.state !== "connected") return Infinity;
    const now = epochSeconds();
    const observed = await observeImages(this.options.zk, {
      builderId: this.options.builderId,
      hostname: this.hostname,
      localBuilds: await localBuilds(this.options.imagesDir),
      retryAfter: this.retryAfter,
      watches: this.watches,
    });
    const formats = new Map([...this.imageStores()].map(([name, images]) => [name, images.format]));
    const desired = builderDesired(this.config, formats);
    const plan = planBuilder(desired, observed, now);
    const ctx = this.context();
    for (const action of plan.actions) {
      if (this.stopping) break;
      try {
        await this.carryOut(ctx, action, desired, observed);
      } catch (error) {
        this.options.log.error({ err: error, action }, "builder action failed; trying again on a later pass");
      }
    }
    return plan.nextWake === null ? Infinity : (plan.nextWake - epochSeconds()) * 1000;
  }

  /** Deletions run in the pass; builds and uploads in a free worker, their failure retried after a delay. */
  private async carryOut(ctx: BuilderContext, action: BuilderAction, desired: BuilderDesired, observed: BuilderObserved): Promise<void> {
    const options = { cleanup: this.options.cleanup ?? true, building: this.buildingIds };
    if (action.kind !== "build" && action.kind !== "upload") {
      await dispatchBuilderAction(ctx, action, desired, observed, options);
      return;
    }
    const [inFlight, workers, key, target] =
      action.kind === "build"
        ? [this.buildsInFlight, this.options.buildWorkers ?? 1, action.image, action.image]
        : [this.uploadsInFlight, this.options.uploadWorkers ?? 4, `${buildDisplayName(action.image, action.build)}/${action.provider}`, uploadTarget(action.image, action.provider)];
    if (inFlight.has(key) || inFlight.size >= workers) return;
    const work = dispatchBuilderAction(ctx, action, desired, observed, options)
      .then((failure) => {
        if (failure === null) {
          this.backoff.forget(target);
          this.retryAfter.delete(target);
        } else this.retryAfter.set(target, this.backoff.failed(target, failure, epochSeconds()));
      })
      .catch((error: unknown) => {
        this.retryAfter.set(target, this.backoff.failed(target, String(error), epochSeconds()));
        this.options.log.error({ err: error, image: action.image, ...(action.kind === "upload" ? { provider: action.provider } : {}) }, `image ${action.kind} failed`);
      })
      .finally(() => {
        inFlight.delete(key);
        this.schedule(0);
      });
    inFlight.set(key, work);
  }

  private imageStores(): Map<string, ImageStore> {
    const stores = new Map<string, ImageStore>();
    for (const [name, provider] of this.providers.running()) if (provider.images) stores.set(name, provider.images);
    return stores;
  }
}
