/**
 * The `nodepool-builder` daemon around the builder (behaviour.md §4.1, §8.2): load the config
 * (refusing to start without `images-dir` or ZooKeeper servers), read or create the builder id,
 * connect, run the builder, apply config changes as the files change (an invalid config is
 * refused with its errors logged and the last good one kept), stop cleanly.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { formatDiagnostic, type ConfigResult } from "../../schema/index.ts";
import { NodepoolError } from "../errors.ts";
import { loadDaemonConfig } from "../launcher/config-file.ts";
import type { Logger } from "../log.ts";
import { createStatsClient, type StatsClient } from "../stats/client.ts";
import { zkHostsFromConfig } from "../zk/connection.ts";
import { NodepoolZk } from "../zk/nodepool-zk.ts";
import { Builder } from "./builder.ts";
import { DEFAULT_DIB_COMMAND } from "./dib-command.ts";
import { readOrCreateBuilderId } from "./local-files.ts";

export class BuilderConfigError extends NodepoolError {
  readonly code = "builder.config";
  override readonly exitCode = 1;
}

export interface BuilderDaemonOptions {
  configPath: string;
  securePath?: string;
  /** Overrides the config's zookeeper-servers. */
  zookeeper?: string;
  log: Logger;
  buildWorkers?: number;
  uploadWorkers?: number;
  /** The image command when a diskimage names no `dib-cmd` (default `disk-image-create`). */
  dibCommand?: string;
  cleanup?: boolean;
  retryDelayMs?: number;
  periodicMs?: number;
}

type Loaded = Extract<ConfigResult, { ok: true }>;
const RELOAD_DEBOUNCE_MS = 100;

async function load(options: BuilderDaemonOptions): Promise<Loaded> {
  const result = await loadDaemonConfig(options.configPath, options.securePath);
  for (const diagnostic of result.diagnostics) {
    options.log[diagnostic.severity === "error" ? "error" : "warn"]({ config: options.configPath }, formatDiagnostic(diagnostic));
  }
  if (!result.ok) throw new BuilderConfigError(`${options.configPath} is not a valid configuration (errors logged above)`);
  return result;
}

export class BuilderDaemon {
  private readonly watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly builder: Builder,
    readonly builderId: string,
    private readonly zk: NodepoolZk,
    private readonly stats: StatsClient,
    private readonly options: BuilderDaemonOptions,
  ) {}

  static async start(options: BuilderDaemonOptions): Promise<BuilderDaemon> {
    const { config, secretPaths } = await load(options);
    const imagesDir = config["images-dir"];
    if (imagesDir === undefined) throw new BuilderConfigError(`No images-dir specified in ${options.configPath}: the builder needs a directory for its images`);
    if (options.zookeeper === undefined && config["zookeeper-servers"].length === 0) {
      throw new BuilderConfigError(`No ZooKeeper servers configured in ${options.configPath} (zookeeper-servers), nor given with --zookeeper`);
    }
    const builderId = await readOrCreateBuilderId(imagesDir);
    const stats = createStatsClient({ log: options.log });
    const zk = await NodepoolZk.connect({ hosts: options.zookeeper ?? zkHostsFromConfig(config["zookeeper-servers"]), logger: options.log });
    const builder = new Builder({
      zk,
      config,
      secretPaths,
      builderId,
      imagesDir,
      log: options.log,
      stats,
      dibCommand: options.dibCommand ?? DEFAULT_DIB_COMMAND,
      ...(options.buildWorkers === undefined ? {} : { buildWorkers: options.buildWorkers }),
      ...(options.uploadWorkers === undefined ? {} : { uploadWorkers: options.uploadWorkers }),
      ...(options.cleanup === undefined ? {} : { cleanup: options.cleanup }),
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      ...(options.periodicMs === undefined ? {} : { periodicMs: options.periodicMs }),
    });
    await builder.start();
    const daemon = new BuilderDaemon(builder, builderId, zk, stats, options);
    daemon.watchFiles();
    options.log.info({ config: options.configPath, builderId, images: config.diskimages.map((d) => d.name) }, "builder started");
    return daemon;
  }

  /** Re-reads the config; returns false (keeping the running config) when it does not validate. */
  async reload(): Promise<boolean> {
    let loaded: Loaded;
    try {
      loaded = await load(this.options);
    } catch (error) {
      this.options.log.error({ err: error }, "config change refused; keeping the last good config");
      return false;
    }
    if (JSON.stringify(loaded.config) === JSON.stringify(this.builder.currentConfig)) return true;
    await this.builder.reconfigure(loaded.config, loaded.secretPaths);
    this.options.log.info({ images: loaded.config.diskimages.map((d) => d.name) }, "config change applied");
    return true;
  }

  async stop(): Promise<void> {
    clearTimeout(this.reloadTimer);
    for (const watcher of this.watchers) watcher.close();
    await this.builder.stop();
    await this.stats.close();
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
