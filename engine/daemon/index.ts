/**
 * What both daemons share (behaviour.md §8): `runDaemon` (logging, pid file, signals, start and
 * graceful stop), `DaemonConfig` (first read, watched re-reads, the last good config kept),
 * `acquirePidFile`, `installSignals` with the SIGUSR2 `CpuProfiler`, and `daemonLogger` (`-d`, `-l`).
 */
export { ConfiguredDaemon } from "./daemon.ts";
export { DaemonConfig, InvalidConfigError, type ApplyConfig, type ConfigSource, type LoadedConfig } from "./config.ts";
export { ConfigWatcher, RELOAD_DEBOUNCE_MS } from "./config-watch.ts";
export { daemonLogger, LogConfigError, readLogConfig, type DaemonLog, type LogConfig } from "./logging.ts";
export { acquirePidFile, PidFileError, PidFileInUseError, processAlive, type PidFile } from "./pid-file.ts";
export { runDaemon, type RunDaemonOptions, type RunningDaemon } from "./run.ts";
export { followZookeeperServers } from "./zookeeper-servers.ts";
export { installSignals, type DaemonSignals, type SigtermPolicy, type SignalOptions } from "./signals.ts";
export { activeResources, CpuProfiler, cpuProfilePath } from "./sigusr2.ts";
