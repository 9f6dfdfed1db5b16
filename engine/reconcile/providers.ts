/**
 * The provider lifecycle every daemon and command shares: start the configured providers,
 * stop them, restart one whose config changed (unchanged ones keep their state, behaviour.md
 * §8.4), and say which are not ready and why. A provider that fails to start (bad
 * credentials, cloud down) is retried with exponential backoff while the others work on; its
 * owner does not use it until it runs.
 */
import type { ProviderConfig } from "../../schema/index.ts";
import { createProvider, describeProvider, DriverNotAvailableError, messageOf, type ApiCallSink, type Provider, type ProviderContext, type ProviderTraits } from "../drivers/index.ts";
import type { Logger } from "../log.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";

/** Why a configured provider is not running. */
export interface ProviderNotReady {
  provider: string;
  reason: string;
  /** Epoch seconds of the next start attempt; null when none is scheduled. */
  retryAt: number | null;
}

export interface ProviderLifecycleOptions {
  log: Logger;
  /** What each provider is created with (its logger, static host checks); none by default. */
  context?: ProviderContext;
  /** Where each provider's driver reports its cloud API calls (the metrics). */
  apiCalls?: (provider: string) => ApiCallSink;
  /** Which configured providers to run (the builder: those that take images); all by default. */
  select?: (traits: ProviderTraits) => boolean;
  /** Backoff between start attempts of a failing provider; false: one attempt (one-shot commands). */
  retry?: BackoffOptions | false;
  /** A provider started (at first, after a retry or a restart); its owner sets up around it. */
  onStarted?: (provider: Provider, config: ProviderConfig) => Promise<void> | void;
  /** A provider is about to stop (removed, changed or the lifecycle stopping). */
  onStopping?: (name: string) => void;
}

export const PROVIDER_RETRY: BackoffOptions = { initialMs: 1_000, maxMs: 300_000 };

interface Slot {
  config: ProviderConfig;
  key: string;
  provider: Provider | null;
  failure: string | null;
  retry: NodeJS.Timeout | undefined;
}

export class ProviderLifecycle {
  private readonly slots = new Map<string, Slot>();
  private readonly backoff: Backoff | null;
  private readonly halted = new AbortController();
  /** Starts and stops one at a time: a retry never races a config change. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ProviderLifecycleOptions) {
    this.backoff = options.retry === false ? null : new Backoff(options.retry ?? PROVIDER_RETRY);
  }

  /** Aborted when the lifecycle stops: the signal for every call to the providers. */
  get signal(): AbortSignal {
    return this.halted.signal;
  }

  /**
   * Brings the running providers in line with `configs`: removed and changed ones are stopped,
   * new and changed ones started (one attempt each before this resolves; failures retry later).
   */
  sync(configs: readonly ProviderConfig[]): Promise<void> {
    return this.serially(async () => {
      const wanted = new Map<string, ProviderConfig>();
      for (const config of configs) if (this.options.select?.(describeProvider(config)) ?? true) wanted.set(config.name, config);
      for (const [name, slot] of [...this.slots]) {
        const config = wanted.get(name);
        if (config !== undefined && JSON.stringify(config) === slot.key) continue;
        this.slots.delete(name);
        this.backoff?.forget(name);
        await this.stopSlot(name, slot);
      }
      for (const [name, config] of wanted) {
        if (this.slots.has(name)) continue;
        const slot: Slot = { config, key: JSON.stringify(config), provider: null, failure: null, retry: undefined };
        this.slots.set(name, slot);
        await this.startSlot(name, slot);
      }
    });
  }

  /** The provider when it runs. */
  get(name: string): Provider | undefined {
    return this.slots.get(name)?.provider ?? undefined;
  }

  /** The running providers, by name. */
  running(): Map<string, Provider> {
    const running = new Map<string, Provider>();
    for (const [name, slot] of this.slots) if (slot.provider !== null) running.set(name, slot.provider);
    return running;
  }

  /** Configured providers that do not run, with why and when they are tried again. */
  notReady(): ProviderNotReady[] {
    const out: ProviderNotReady[] = [];
    for (const [name, slot] of this.slots) {
      if (slot.provider !== null) continue;
      out.push({ provider: name, reason: slot.failure ?? "starting", retryAt: this.backoff?.waiting(name, Date.now() / 1000)?.due ?? null });
    }
    return out;
  }

  /** Stops every provider and any retry; idempotent. */
  stop(): Promise<void> {
    this.halted.abort();
    return this.serially(async () => {
      for (const [name, slot] of [...this.slots]) {
        this.slots.delete(name);
        await this.stopSlot(name, slot);
      }
    });
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async startSlot(name: string, slot: Slot): Promise<void> {
    if (this.halted.signal.aborted) return;
    const { log } = this.options;
    let provider: Provider | undefined;
    try {
      const apiCalls = this.options.apiCalls?.(name);
      provider = createProvider(slot.config, apiCalls === undefined ? this.options.context : { ...this.options.context, apiCalls });
      await provider.start(this.halted.signal);
    } catch (error) {
      await provider?.stop().catch(() => undefined);
      slot.failure = messageOf(error);
      // A driver missing from this build stays missing: only a config change can help.
      const retryAt = error instanceof DriverNotAvailableError ? null : (this.backoff?.failed(name, slot.failure, Date.now() / 1000) ?? null);
      log.error({ err: error, provider: name, retryAt: retryAt === null ? undefined : new Date(retryAt * 1000).toISOString() }, "starting provider failed");
      if (retryAt !== null) this.scheduleRetry(name, slot, retryAt);
      return;
    }
    slot.provider = provider;
    slot.failure = null;
    this.backoff?.forget(name);
    log.info({ provider: name, driver: slot.config.driver }, "provider started");
    await this.options.onStarted?.(provider, slot.config);
  }

  private scheduleRetry(name: string, slot: Slot, retryAt: number): void {
    slot.retry = setTimeout(
      () => {
        slot.retry = undefined;
        // Only the slot still configured is retried: a config change replaced or removed it.
        void this.serially(async () => {
          if (this.slots.get(name) === slot) await this.startSlot(name, slot);
        });
      },
      Math.max(0, retryAt * 1000 - Date.now()),
    );
  }

  private async stopSlot(name: string, slot: Slot): Promise<void> {
    clearTimeout(slot.retry);
    if (slot.provider === null) return;
    this.options.onStopping?.(name);
    await slot.provider.stop().catch((error: unknown) => this.options.log.warn({ err: error, provider: name }, "stopping provider failed"));
    slot.provider = null;
  }
}
