/**
 * Every launcher metric (behaviour.md §7.2–7.5) wired to a running launcher: launch and leak
 * metrics and the `max_servers` gauge from the engine's events, node gauges from the stats
 * worker when this process wins the stats election. Nothing happens when statsd is disabled.
 */
import type { Logger } from "../log.ts";
import type { EngineEventEmitter, LaunchEvent, LeakEvent, PoolEvent } from "../reconcile/events.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import type { StatsClient } from "./client.ts";
import { launchMetrics } from "./launch.ts";
import { leakMetrics } from "./leaks.ts";
import { attachTaskStats } from "./task.ts";
import { MaxServersGauge } from "./max-servers.ts";
import type { LauncherCounted, NodeCounted } from "./node-gauges.ts";
import { StatsWorker, type NodeStatsView, type StatsWorkerOptions } from "./stats-worker.ts";

export interface LauncherStatsOptions {
  events: EngineEventEmitter;
  zk: NodepoolZk;
  log: Logger;
  /** Shared with the rest of the process; not closed by `stop`. */
  client: StatsClient;
  /** The launcher's own watched nodes and registrations: see `launcherNodeView`. */
  view: NodeStatsView;
  identifier?: StatsWorkerOptions["identifier"];
  minIntervalMs?: StatsWorkerOptions["minIntervalMs"];
  refreshIntervalMs?: StatsWorkerOptions["refreshIntervalMs"];
}

export interface LauncherStats {
  /** Unsubscribes from the engine and leaves the stats election. */
  stop(): Promise<void>;
}

export function attachLauncherStats(options: LauncherStatsOptions): LauncherStats {
  const { events, client } = options;
  // Only launchers with statsd configured take part in the election (§2.19).
  if (!client.enabled) return { stop: async () => undefined };
  const maxServers = new MaxServersGauge();
  const onLaunch = (event: LaunchEvent): void => client.send(launchMetrics(event));
  const onLeak = (event: LeakEvent): void => client.send(leakMetrics(event));
  const onPool = (event: PoolEvent): void => client.send([maxServers.update(event)]);
  events.on("launch", onLaunch);
  events.on("leak", onLeak);
  events.on("pool", onPool);
  const detachTasks = attachTaskStats(client);
  const worker = new StatsWorker(options);
  worker.start();
  return {
    async stop() {
      events.off("launch", onLaunch);
      events.off("leak", onLeak);
      events.off("pool", onPool);
      detachTasks();
      await worker.stop();
    },
  };
}

/** What `launcherNodeView` needs of the launcher (engine/launcher/launcher.ts `Launcher`). */
export interface ObservingLauncher {
  readonly events: EngineEventEmitter;
  observe(): { readonly nodes: ReadonlyMap<string, NodeCounted>; readonly launchers: readonly LauncherCounted[] };
}

/**
 * The node view of a running launcher: its watched caches, so the stats leader costs no extra
 * ZooKeeper reads. Every cache change triggers a reconcile pass, so a pass signals a change.
 */
export function launcherNodeView(launcher: ObservingLauncher): NodeStatsView {
  return {
    snapshot() {
      const observed = launcher.observe();
      return { nodes: observed.nodes.values(), launchers: observed.launchers };
    },
    onChange(listener) {
      launcher.events.on("pass", listener);
      return () => launcher.events.off("pass", listener);
    },
  };
}
