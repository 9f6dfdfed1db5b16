/**
 * The launcher: the running reconcile loop over nodes and requests (`Launcher`), and the
 * `nodepool-launcher` daemon around it (`LauncherDaemon`). What other modules import.
 */
export { Launcher, type LauncherOptions } from "./launcher.ts";
export { LauncherDaemon, InvalidConfigError, type DaemonOptions } from "./daemon.ts";
