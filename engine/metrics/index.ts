/**
 * Prometheus metrics (prom-client) for both daemons. `daemonMetrics()` makes a daemon's
 * registry with the process, ZooKeeper and cloud API call metrics; the launcher adds
 * `attachLauncherMetrics` and serves the registry on its web port, the builder adds
 * `attachBuilderMetrics` and serves it with `startMetricsServer` when given `--metrics-port`.
 * The statsd metrics (engine/stats/) are sent as before, independently.
 */
export { daemonMetrics, type DaemonMetrics } from "./registry.ts";
export { attachLauncherMetrics, type LauncherMetricsOptions } from "./launcher.ts";
export { attachBuilderMetrics, type BuilderMetricsOptions } from "./builder.ts";
export { parseMetricsListen, startMetricsServer, type MetricsListen, type RunningMetricsServer } from "./server.ts";
