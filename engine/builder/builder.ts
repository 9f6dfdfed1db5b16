/**
 * The builder controller (behaviour.md §4): each pass observes the image tree, plans
 * (plan.ts) and carries out the plan — builds on up to `build-workers` at once, uploads on up
 * to `upload-workers`, deletions in the pass itself. A pass runs when a watched znode changes,
 * a build or upload ends, the config changes, a rebuild-age or retry falls due, or the
 * periodic cleanup comes round; never on a fixed poll.
 */
import { hostname as osHostname } from "node:os";
import { createProvider } from "../drivers/index.ts";
import type { ApiCallSink, ImageStore, Provider } from "../drivers/index.ts";
import type { Logger } from "../log.ts";
import type { StatsClient } from "../stats/client.ts";
import { buildDisplayName } from "../zk/ids.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import { epochSeconds } from "../zk/records/_codec.ts";
import type { NodepoolConfig } from "../../schema/index.ts";
import { runBuild } from "./build.ts";
import { deleteBuild, deleteUpload, removeUploadRecord } from "./cleanup.ts";
import type { BuilderContext } from "./context.ts";
import { BuilderEventEmitter } from "./events.ts";
import { builderDesired } from "./desired.ts";
import { imageProviders } from "./formats.ts";
import { localBuilds } from "./local-files.ts";
import { observeImages, WatchSet } from "./observe.ts";
import { planBuilder, type BuilderAction } from "./plan.ts";
import { newestReadyBuild } from "./retention.ts";
import { uploadTarget, type BuilderDesired, type BuilderObserved } from "./state.ts";
import { runUpload } from "./upload.ts";

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
  /** Delay before a failed build or upload is tried again (the reference's 10 s pass). */
  retryDelayMs?: number;
  /** The periodic pass for what no watch reports (a lock freed by a crashed builder); 60 s. */
  periodicMs?: number;
  hostname?: string;
  /** Where each provider's driver reports its cloud API calls (the metrics). */
  apiCalls?: (provider: string) => ApiCallSink;
}

const DEBOUNCE_MS = 20;
/** setTimeout's limit; a rebuild-age further away is re-armed on a later pass. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Builder {
  readonly events = new BuilderEventEmitter();
  private config: NodepoolConfig;
  private secretPaths: readonly string[];
  private readonly providers = new Map<string, { key: string; provider: Provider; images: ImageStore }>();
  /** Aborts the providers' calls when the builder stops. */
  private readonly stopping$ = new AbortController();
  private readonly watches: WatchSet;
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
    this.watches = new WatchSet(() => this.schedule(DEBOUNCE_MS));
  }

  get currentConfig(): NodepoolConfig {
    return this.config;
  }

  async start(): Promise<void> {
    await this.syncProviders();
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
    this.offSession = () => {
      offSession();
      offState();
    };
    this.schedule(0);
  }

  /** Applies a new config from the next pass on. */
  async reconfigure(config: NodepoolConfig, secretPaths: readonly string[] = this.secretPaths): Promise<void> {
    this.config = config;
    this.secretPaths = secretPaths;
    await this.syncProviders();
    this.schedule(0);
  }

  /** Stops planning, waits for running builds (an image command is never abandoned), stops providers. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopping$.abort();
    clearTimeout(this.timer);
    this.offSession?.();
    await this.running;
    await Promise.all(this.buildsInFlight.values());
    await Promise.all([...this.providers.values()].map(({ provider }) => provider.stop()));
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
      providers: new Map([...this.providers].map(([name, { images }]) => [name, images])),
      signal: this.stopping$.signal,
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
    const formats = new Map([...this.providers].map(([name, { images }]) => [name, images.format]));
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

  private async carryOut(ctx: BuilderContext, action: BuilderAction, desired: BuilderDesired, observed: BuilderObserved): Promise<void> {
    const cleanup = this.options.cleanup ?? true;
    switch (action.kind) {
      case "build":
        return this.startBuild(ctx, action, desired.images.get(action.image)?.formats ?? [], observed);
      case "upload":
        return this.startUpload(ctx, action);
      case "delete-upload":
        if (cleanup) await deleteUpload(ctx, action);
        return;
      case "remove-upload-record":
        if (cleanup) await removeUploadRecord(ctx, action);
        return;
      case "delete-build": {
        const state = observed.images.get(action.image)?.builds.find((b) => b.id === action.build)?.state;
        if (cleanup && state !== undefined) await deleteBuild(ctx, action, state, this.buildingIds);
        return;
      }
    }
  }

  private startBuild(ctx: BuilderContext, action: Extract<BuilderAction, { kind: "build" }>, formats: readonly string[], observed: BuilderObserved): void {
    if (this.buildsInFlight.has(action.image) || this.buildsInFlight.size >= (this.options.buildWorkers ?? 1)) return;
    const image = ctx.config.diskimages.find((d) => d.name === action.image);
    if (image === undefined) return;
    const newestReady = newestReadyBuild(observed.images.get(image.name)?.builds ?? [])?.id;
    let display: string | undefined;
    const work = runBuild(ctx, {
      image,
      formats,
      manual: action.manual,
      newestReady,
      onStarted: (build) => {
        display = buildDisplayName(image.name, build);
        this.buildingIds.add(display);
      },
    })
      .then((result) => {
        if (result.kind === "failed") this.retryAfter.set(image.name, epochSeconds() + this.retrySeconds());
        if (result.kind === "ready") this.retryAfter.delete(image.name);
      })
      .catch((error: unknown) => {
        this.retryAfter.set(image.name, epochSeconds() + this.retrySeconds());
        this.options.log.error({ err: error, image: image.name }, "image build failed");
      })
      .finally(() => {
        if (display !== undefined) this.buildingIds.delete(display);
        this.buildsInFlight.delete(image.name);
        this.schedule(0);
      });
    this.buildsInFlight.set(image.name, work);
  }

  private startUpload(ctx: BuilderContext, action: Extract<BuilderAction, { kind: "upload" }>): void {
    const key = `${buildDisplayName(action.image, action.build)}/${action.provider}`;
    if (this.uploadsInFlight.has(key) || this.uploadsInFlight.size >= (this.options.uploadWorkers ?? 4)) return;
    const target = uploadTarget(action.image, action.provider);
    const work = runUpload(ctx, { image: action.image, build: action.build, provider: action.provider, format: action.format })
      .then((result) => {
        if (result.kind === "failed") this.retryAfter.set(target, epochSeconds() + this.retrySeconds());
        if (result.kind === "ready") this.retryAfter.delete(target);
      })
      .catch((error: unknown) => {
        this.retryAfter.set(target, epochSeconds() + this.retrySeconds());
        this.options.log.error({ err: error, image: action.image, provider: action.provider }, "image upload failed");
      })
      .finally(() => {
        this.uploadsInFlight.delete(key);
        this.schedule(0);
      });
    this.uploadsInFlight.set(key, work);
  }

  private retrySeconds(): number {
    return (this.options.retryDelayMs ?? 10_000) / 1000;
  }

  /** Image-managing providers: kept while their config is unchanged, replaced when it changes, stopped when removed. */
  private async syncProviders(): Promise<void> {
    const wanted = new Map(imageProviders(this.config).map((p) => [p.name, p]));
    for (const [name, { provider }] of this.providers) {
      if (!wanted.has(name)) {
        this.providers.delete(name);
        await provider.stop();
      }
    }
    for (const [name, { config }] of wanted) {
      const key = JSON.stringify(config);
      const current = this.providers.get(name);
      if (current?.key === key) continue;
      let provider: Provider;
      try {
        const apiCalls = this.options.apiCalls?.(name);
        provider = createProvider(config, apiCalls === undefined ? {} : { apiCalls });
        await provider.start(this.stopping$.signal);
      } catch (error) {
        this.options.log.error({ err: error, provider: name }, "provider unavailable; its uploads wait until it works");
        continue;
      }
      if (provider.images === undefined) continue;
      this.providers.set(name, { key, provider, images: provider.images });
      if (current) await current.provider.stop();
    }
  }
}
