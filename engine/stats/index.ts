/**
 * statsd for the daemons (behaviour.md §7). `createStatsClient({ log })` is the shared client
 * (a no-op unless STATSD_HOST/STATSD_PORT is set); builders send their groups with
 * `client.send([gauge(...), timer(...), counter(...)])`, keys without the `nodepool.` prefix.
 * The launcher daemon calls `attachLauncherStats({ events, zk, log, client, view: launcherNodeView(launcher) })`.
 */
export { createStatsClient, statsTarget, StatsConfigError, type StatsClient, type StatsTarget } from "./client.ts";
export { counter, gauge, timer, type Metric, type MetricType } from "./metric.ts";
export { launchKeys, launchMetrics, normaliseRequestor } from "./launch.ts";
export { leakMetrics } from "./leaks.ts";
export { MaxServersGauge, providerMaxServers } from "./max-servers.ts";
export { nodeGauges, type LauncherCounted, type NodeCounted } from "./node-gauges.ts";
export { StatsWorker, type NodeStatsView, type StatsWorkerOptions } from "./stats-worker.ts";
export { attachLauncherStats, launcherNodeView, type LauncherStats, type LauncherStatsOptions, type ObservingLauncher } from "./launcher.ts";
export { attachTaskStats, taskMetrics } from "./task.ts";
