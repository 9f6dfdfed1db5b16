/**
 * What both daemons share (behaviour.md §8): `runDaemon` (daemonising, logging, pid file, signals,
 * start and graceful stop), `daemonise` and the default pid and log files, `DaemonConfig` (first
 * read, watched re-reads, the last good config kept), `acquirePidFile`, `installSignals` with the
 * SIGUSR2 `CpuProfiler`, and `daemonLogger` (`-d`, `-l`, the log file reopened on rotation).
 */
export { ConfiguredDaemon } from "./daemon.ts";
export { DaemonConfig, InvalidConfigError, type ApplyConfig, type ConfigSource, type LoadedConfig } from "./config.ts";
export { ConfigWatcher, RELOAD_DEBOUNCE_MS } from "./config-watch.ts";
export { daemonChild, daemonise, DAEMON_CHILD_ENV, DEFAULT_LOG_FILES, DEFAULT_PID_FILES, runMode, type DaemonName, type RunMode, type StartReporter } from "./daemonise.ts";
export { daemonLogger, LogConfigError, LogFileError, readLogConfig, type DaemonLog, type DaemonLoggerOptions, type LogConfig } from "./logging.ts";
export { acquirePidFile, PID_FILE_TIMEOUT_MS, PidFileError, PidFileInUseError, processAlive, type AcquireOptions, type PidFile } from "./pid-file.ts";
export { runDaemon, type RunDaemonOptions, type RunningDaemon } from "./run.ts";
export { followZookeeperServers } from "./zookeeper-servers.ts";
export { installSignals, type DaemonSignals, type SigtermPolicy, type SignalOptions } from "./signals.ts";
export { activeResources, CpuProfiler, cpuProfilePath } from "./sigusr2.ts";
