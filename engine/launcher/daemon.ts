/**
 * The `nodepool-launcher` daemon around the launcher: load the config, connect to ZooKeeper,
 * run the loop, apply config changes as the files change (a config that no longer validates
 * is refused with its errors logged, and the last good one kept), stop cleanly.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { formatDiagnostic, type NodepoolConfig } from "../../schema/index.ts";
import { NodepoolError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { zkHostsFromConfig } from "../zk/connection.ts";
import { NodepoolZk } from "../zk/nodepool-zk.ts";
import { loadDaemonConfig } from "./config-file.ts";
import { Launcher } from "./launcher.ts";

/** The config given at start does not validate. */
export class InvalidConfigError extends NodepoolError {
  readonly code = "config.invalid";
  override readonly exitCode = 1;
}

export interface DaemonOptions {
  configPath: string;
  securePath?: string;
  /** Overrides the config's zookeeper-servers (`host:port[,host:port][/chroot]`). */
  zookeeper?: string;
  log: Logger;
  /** Launcher intervals, for tests. */
  cleanupIntervalMs?: number;
  retryIntervalMs?: number;
}

const RELOAD_DEBOUNCE_MS = 100;

export class LauncherDaemon {
  private readonly watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly launcher: Launcher,
    private readonly zk: NodepoolZk,
    private readonly options: DaemonOptions,
  ) {}

  static async start(options: DaemonOptions): Promise<LauncherDaemon> {
    const config = await LauncherDaemon.load(options);
    const hosts = options.zookeeper ?? zkHostsFromConfig(config["zookeeper-servers"]);
    const zk = await NodepoolZk.connect({ hosts, logger: options.log });
    const launcher = new Launcher({
      zk,
      config,
      log: options.log,
      ...(options.cleanupIntervalMs === undefined ? {} : { cleanupIntervalMs: options.cleanupIntervalMs }),
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
    });
    await launcher.start();
    const daemon = new LauncherDaemon(launcher, zk, options);
    daemon.watchFiles();
    options.log.info({ config: options.configPath, providers: config.providers.map((p) => p.name) }, "launcher started");
    return daemon;
  }

  private static async load(options: DaemonOptions): Promise<NodepoolConfig> {
    const result = await loadDaemonConfig(options.configPath, options.securePath);
    for (const diagnostic of result.diagnostics) {
      options.log[diagnostic.severity === "error" ? "error" : "warn"]({ config: options.configPath }, formatDiagnostic(diagnostic));
    }
    if (!result.ok) throw new InvalidConfigError(`${options.configPath} is not a valid configuration (errors logged above)`);
    return result.config;
  }

  /** Re-reads the config; returns false (keeping the running config) when it does not validate. */
  async reload(): Promise<boolean> {
    let config: NodepoolConfig;
    try {
      config = await LauncherDaemon.load(this.options);
    } catch (error) {
      this.options.log.error({ err: error }, "config change refused; keeping the last good config");
      return false;
    }
    if (JSON.stringify(config) === JSON.stringify(this.launcher.currentConfig)) return true;
    await this.launcher.reconfigure(config);
    this.options.log.info({ providers: config.providers.map((p) => p.name) }, "config change applied");
    return true;
  }

  async stop(): Promise<void> {
    clearTimeout(this.reloadTimer);
    for (const watcher of this.watchers) watcher.close();
    await this.launcher.stop();
    this.zk.close();
  }

  /** Editors replace files (delete then create), so the directory is watched, not the file. */
  private watchFiles(): void {
    const files = [this.options.configPath, this.options.securePath].filter((f): f is string => f !== undefined).map((f) => resolve(f));
    for (const dir of new Set(files.map(dirname))) {
      const names = new Set(files.filter((f) => dirname(f) === dir).map((f) => basename(f)));
      const watcher = watch(dir, (_event, name) => {
        if (name !== null && !names.has(name.toString())) return;
        clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
      });
      this.watchers.push(watcher);
    }
  }
}
