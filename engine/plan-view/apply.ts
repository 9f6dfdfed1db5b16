/**
 * `nodepool apply`: carries out the plan with the daemons' own machinery and returns when
 * it is done. Builder actions first (a build, its uploads and the retention that follows, one
 * pass after another with the builder's workers, each action at most once), then the
 * launcher: the engine's Launcher with its executor runs its first pass (the plan's launcher
 * actions) and the follow-ups of the work it took on — launches of the requests it accepted,
 * fulfilment, its min-ready requests served and completed. With `wait`, it then keeps
 * reconciling until a pass plans nothing and no node of the configured providers is still
 * being launched. Progress is reported one line at a time through `report`.
 */
import { hostname as osHostname } from "node:os";
import type { NodepoolConfig } from "../../schema/index.ts";
import type { BuilderContext } from "../builder/context.ts";
import { builderDesired } from "../builder/desired.ts";
import { DEFAULT_DIB_COMMAND } from "../builder/dib-command.ts";
import { localBuilds, readOrCreateBuilderId } from "../builder/local-files.ts";
import { observeImages } from "../builder/observe.ts";
import { planBuilder, type BuilderAction } from "../builder/plan.ts";
import { dispatchBuilderAction } from "../builder/dispatch.ts";
import type { ImageStore } from "../drivers/index.ts";
import { Launcher } from "../launcher/launcher.ts";
import type { Logger } from "../log.ts";
import { keyOf, type Action } from "../reconcile/actions.ts";
import { ProviderLifecycle } from "../reconcile/providers.ts";
import { createStatsClient } from "../stats/client.ts";
import { LockBusyError, RecordGoneError } from "../zk/errors.ts";
import { asRequestId, buildDisplayName } from "../zk/ids.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import { epochSeconds } from "../zk/records/_codec.ts";
import { builderEntry, launcherEntry, type PlanEntry } from "./entries.ts";
import { ProviderUnavailableError } from "./observe-once.ts";
import { entryLine } from "./render.ts";

export interface ApplyOptions {
  zk: NodepoolZk;
  config: NodepoolConfig;
  secretPaths: readonly string[];
  log: Logger;
  /** Keep reconciling until nothing is left to do and no node is still launching. */
  wait: boolean;
  /** Give up (reporting what is unfinished) after this long. */
  timeoutMs: number;
  report(line: string): void;
}

export interface ApplyResult {
  /** Actions carried out successfully. */
  done: number;
  /** One line per failure (action, launch or build). */
  failures: string[];
  /** Set when the timeout ended the apply: what it was still waiting for. */
  unfinished: string[] | null;
}

const BUSY_NODE_STATES = new Set(["init", "building"]);

class Progress {
  done = 0;
  readonly failures: string[] = [];
  /** The builder action running now, for a timeout's report. */
  current: string | null = null;

  constructor(private readonly report: (line: string) => void) {}

  line(text: string): void {
    this.report(text);
  }

  started(entry: PlanEntry): void {
    this.report(`started: ${entryLine(entry)}`);
  }

  finished(entry: PlanEntry, error?: unknown): void {
    if (error === undefined) {
      this.done += 1;
      this.report(`done: ${entry.summary}`);
    } else if (error instanceof LockBusyError) {
      this.report(`skipped: ${entry.summary} (locked by another process; its next pass will retry)`);
    } else if (error instanceof RecordGoneError) {
      this.report(`skipped: ${entry.summary} (its record is gone)`);
    } else this.fail(`${entry.summary}: ${error instanceof Error ? error.message : String(error)}`);
  }

  fail(text: string): void {
    if (this.failures.includes(text)) return;
    this.failures.push(text);
    this.report(`failed: ${text}`);
  }
}

export async function applyPlan(options: ApplyOptions): Promise<ApplyResult> {
  const progress = new Progress(options.report);
  const unfinished: string[] = [];
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
  });
  const work = (async () => {
    await applyBuilder(options, progress, stopping.signal);
    if (!stopping.signal.aborted) await applyLauncher(options, progress, stopping.signal, unfinished);
  })();
  try {
    const outcome = await Promise.race([work.then(() => "done" as const), timeout]);
    if (outcome === "timeout") {
      stopping.abort();
      const building = progress.current;
      await work;
      if (building !== null) unfinished.push(`builder: ${building} (an image command is never abandoned: waited for it to end)`);
      return { done: progress.done, failures: progress.failures, unfinished };
    }
    return { done: progress.done, failures: progress.failures, unfinished: null };
  } finally {
    clearTimeout(timer);
  }
}

// ---- builder ------------------------------------------------------------------------------

/** The object a builder action works on: each is attempted at most once per apply. */
function builderKey(action: BuilderAction): string {
  switch (action.kind) {
    case "build":
      return `build:${action.image}`;
    case "upload":
      return `upload:${buildDisplayName(action.image, action.build)}/${action.provider}`;
    case "delete-build":
      return `delete-build:${buildDisplayName(action.image, action.build)}`;
    default:
      return `${action.kind}:${buildDisplayName(action.image, action.build)}/${action.provider}/${action.upload}`;
  }
}

async function applyBuilder(options: ApplyOptions, progress: Progress, signal: AbortSignal): Promise<void> {
  const imagesDir = options.config["images-dir"];
  if (imagesDir === undefined) return;
  const providers = new ProviderLifecycle({ log: options.log, select: (traits) => traits.abilities.has("images"), retry: false });
  const stats = createStatsClient({ log: options.log });
  try {
    await providers.sync(options.config.providers);
    const down = providers.notReady()[0];
    if (down !== undefined) throw new ProviderUnavailableError(`provider ${down.provider}: ${down.reason}`);
    const images = new Map<string, ImageStore>();
    for (const [name, provider] of providers.running()) if (provider.images) images.set(name, provider.images);
    const ctx: BuilderContext = {
      zk: options.zk,
      log: options.log,
      stats,
      builderId: await readOrCreateBuilderId(imagesDir),
      hostname: osHostname(),
      imagesDir,
      dibCommand: DEFAULT_DIB_COMMAND,
      config: options.config,
      secretPaths: options.secretPaths,
      providers: images,
      signal: AbortSignal.any([signal, providers.signal]),
    };
    const desired = builderDesired(options.config, new Map([...images].map(([name, store]) => [name, store.format])));
    const attempted = new Set<string>();
    while (!signal.aborted) {
      const observed = await observeImages(options.zk, { builderId: ctx.builderId, hostname: ctx.hostname, localBuilds: await localBuilds(imagesDir), retryAfter: new Map() });
      const actions = planBuilder(desired, observed, epochSeconds()).actions.filter((a) => !attempted.has(builderKey(a)));
      if (actions.length === 0) return;
      for (const action of actions) {
        if (signal.aborted) return;
        attempted.add(builderKey(action));
        const entry = builderEntry(action);
        progress.started(entry);
        progress.current = entry.summary;
        try {
          const failure = await dispatchBuilderAction(ctx, action, desired, observed, { cleanup: true, building: new Set() });
          if (failure === null) progress.finished(entry);
          else progress.fail(`${entry.summary}: ${failure}`);
        } catch (error) {
          progress.finished(entry, error);
        } finally {
          progress.current = null;
        }
      }
    }
  } finally {
    await providers.stop();
    await stats.close();
  }
}

// ---- launcher -----------------------------------------------------------------------------

async function applyLauncher(options: ApplyOptions, progress: Progress, signal: AbortSignal, unfinished: string[]): Promise<void> {
  const launcher = new Launcher({ zk: options.zk, config: options.config, log: options.log });
  const providers = new Set(options.config.providers.map((p) => p.name));
  const tracked = new Map<string, Action>();
  let waitingLine = "";
  let resolveDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  /** Requests whose outcome this apply waits for: those its first pass accepts, and the min-ready requests it submits. */
  const awaited = new Set<string>();
  /** Actions reported started and not yet finished. */
  const announced = new Set<string>();
  let over = false;

  /** Why the apply is not done yet; empty when it is. */
  const pending = (): string[] => {
    const observed = launcher.observe();
    const reasons = [...tracked.values()].map((a) => `action: ${launcherEntry(a).summary}`);
    const filling = [...observed.handlers.keys()].filter((id) => awaited.has(id));
    if (filling.length > 0) reasons.push(`requests being filled (${filling.join(", ")})`);
    const minReady = [...observed.minReady.values()].flat().filter((id) => awaited.has(id));
    if (minReady.length > 0) reasons.push(`min-ready requests to be served (${minReady.join(", ")})`);
    // An action on an awaited request is running (busy = in flight here, or locked elsewhere).
    const running = [...observed.busy].filter((key) => awaited.has(key) && !observed.handlers.has(asRequestId(key)));
    if (running.length > 0) reasons.push(`actions running on ${running.join(", ")}`);
    const launching = [...observed.nodes.values()].filter((n) => n.provider !== null && providers.has(n.provider) && BUSY_NODE_STATES.has(n.state)).map((n) => n.id).sort();
    const line = launching.length > 0 ? `waiting for ${launching.length} node${launching.length === 1 ? "" : "s"} to become ready (${launching.join(", ")})` : "";
    if (line !== waitingLine && line !== "") progress.line(line);
    waitingLine = line;
    if (options.wait) {
      if (launching.length > 0) reasons.push(line);
      const left = launcher.plan();
      if (left.length > 0) reasons.push(`${left.length} more action${left.length === 1 ? "" : "s"} planned`);
    }
    return reasons;
  };
  const check = (): void => {
    if (over) return;
    if (signal.aborted) {
      unfinished.push(...pending());
      if (!options.wait && waitingLine !== "") unfinished.push(waitingLine);
    } else if (pending().length > 0) return;
    // What happens after this (work the launcher took on meanwhile, released by its stop) is not this apply's.
    over = true;
    resolveDone();
  };

  launcher.events.on("action", ({ action, ok, error }) => {
    if (over) return;
    progress.finished(launcherEntry(action), ok ? undefined : error);
    announced.delete(keyOf(action));
    if (tracked.delete(keyOf(action)) && action.kind === "min-ready") {
      for (const id of launcher.observe().minReady.get(action.label) ?? []) awaited.add(id);
    }
    check();
  });
  launcher.events.on("launch", (event) => {
    if (over) return;
    const what = `${event.label} on ${event.provider}, request ${event.request}`;
    if (event.result === "ready") progress.line(`node ${event.node} ready (${what})`);
    // Given up at the stop that ends the apply: not a failure; a launcher's cleanup removes the node.
    else if (event.result === "abandoned") progress.line(`node ${event.node} launch abandoned at the stop (${what})`);
    else progress.fail(`node ${event.node} (${what}): launch ${event.result}`);
    check();
  });
  launcher.events.on("request", (event) => {
    if (!over && (event.outcome === "accepted" || event.outcome === "fulfilled")) progress.line(`request ${event.request} ${event.outcome}`);
  });
  // The pass event comes between planning and starting, on the same state: plan() names what it starts.
  launcher.events.on("pass", ({ actions }) => {
    if (over) return;
    if (actions > 0) {
      for (const action of launcher.plan()) {
        const key = keyOf(action);
        // An object backing off after failures is not started by this pass.
        if (announced.has(key) || action.retry !== undefined) continue;
        announced.add(key);
        progress.started(launcherEntry(action));
      }
    }
    check();
  });
  signal.addEventListener("abort", check);

  try {
    await launcher.start();
    // start() has only scheduled the first pass: what it plans now is what that pass runs.
    for (const action of launcher.plan()) {
      tracked.set(keyOf(action), action);
      announced.add(keyOf(action));
      if (action.kind === "accept" || action.kind === "continue") awaited.add(action.request);
      progress.started(launcherEntry(action));
    }
    await finished;
  } finally {
    await launcher.stop();
  }
}
