/**
 * The `nodepool-launcher` daemon around the launcher (behaviour.md §8.1, §8.4): read the config
 * once (the web app's settings come from this first read only), connect to ZooKeeper, serve the
 * web API (`/ready` answers 500 until every provider has started; `/metrics` for Prometheus and
 * the live status page at `/`, both from the launcher's watched caches), send statsd, run the loop,
 * apply config changes as its files change (a config that no longer validates is refused with
 * its errors logged and the last good one kept), stop cleanly.
 */
import { DaemonConfig, type ConfigSource, type LoadedConfig } from "../daemon/config.ts";
import { ConfiguredDaemon } from "../daemon/daemon.ts";
import { followZookeeperServers } from "../daemon/zookeeper-servers.ts";
import type { NodepoolConfig } from "../../schema/index.ts";
import type { Logger } from "../log.ts";
import { attachLauncherMetrics, daemonMetrics } from "../metrics/index.ts";
import { attachLauncherStats, createStatsClient, launcherNodeView, type LauncherStats, type StatsClient } from "../stats/index.ts";
import { startWebApp, StatusFeed, type RunningWebApp } from "../web/index.ts";
import { zkHostsFromConfig } from "../zk/connection.ts";
import { NodepoolZk } from "../zk/nodepool-zk.ts";
import { launcherFleet } from "./fleet-source.ts";
import { Launcher } from "./launcher.ts";

export { InvalidConfigError } from "../daemon/config.ts";

export interface DaemonOptions extends ConfigSource {
  /** Overrides the config's zookeeper-servers (`host:port[,host:port][/chroot]`). */
  zookeeper?: string;
  log: Logger;
  /** False: no web app (`--no-webapp`). */
  webapp?: boolean;
  /** Overrides `webapp.port` (0: any free port, for tests). */
  webPort?: number;
  /** Launcher intervals, for tests. */
  cleanupIntervalMs?: number;
  retryIntervalMs?: number;
}

export class LauncherDaemon extends ConfiguredDaemon {
  private stats: { worker: LauncherStats; client: StatsClient } | undefined;

  private constructor(
    readonly launcher: Launcher,
    private readonly zk: NodepoolZk,
    config: DaemonConfig,
    private readonly web: { app: RunningWebApp; detach: () => void } | undefined,
    private readonly log: Logger,
    /** The config as first read: the web app keeps its settings. */
    private readonly first: NodepoolConfig,
    /** `--zookeeper`, which config changes do not override. */
    private readonly zookeeperOverride: string | undefined,
  ) {
    super(config);
  }

  /** Starts everything; the daemon runs when this resolves. */
  static async start(options: DaemonOptions): Promise<LauncherDaemon> {
    const daemon = await LauncherDaemon.prepare(options);
    try {
      await daemon.run();
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  /**
   * Reads the config, connects and serves the web API, whose `/ready` answers 500 until `run()`
   * has started every provider.
   */
  static async prepare(options: DaemonOptions): Promise<LauncherDaemon> {
    const { log } = options;
    const config = await DaemonConfig.load(options, log);
    const first = config.current.config;
    const zk = await NodepoolZk.connect({ hosts: options.zookeeper ?? zkHostsFromConfig(first["zookeeper-servers"]), logger: log });
    // Metrics are served on the web port only: without it nobody could read them.
    const metrics = options.webapp === false ? undefined : daemonMetrics();
    const launcher = new Launcher({
      zk,
      config: first,
      log,
      ...(metrics === undefined ? {} : { apiCalls: metrics.apiCalls }),
      ...(options.cleanupIntervalMs === undefined ? {} : { cleanupIntervalMs: options.cleanupIntervalMs }),
      ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
    });
    let web: { app: RunningWebApp; detach: () => void } | undefined;
    if (metrics !== undefined) {
      metrics.observeZookeeper(zk.client);
      const fleet = launcherFleet(launcher);
      const detachMetrics = attachLauncherMetrics({ registry: metrics.registry, fleet, events: launcher.events });
      const status = new StatusFeed({ source: fleet });
      const detach = (): void => {
        detachMetrics();
        status.close();
        fleet.close();
      };
      try {
        const app = await startWebApp({
          zk,
          config: first,
          log,
          notReadyReason: () => launcher.notReadyReason(),
          metrics: metrics.registry,
          status,
          ...(options.webPort === undefined ? {} : { port: options.webPort }),
        });
        web = { app, detach };
      } catch (error) {
        detach();
        zk.close();
        throw error;
      }
    }
    return new LauncherDaemon(launcher, zk, config, web, log, first, options.zookeeper);
  }

  /** `http://host:port` of the web API, when it runs. */
  get webUrl(): string | undefined {
    return this.web?.app.url;
  }

  /** Starts statsd, the providers and the loop, then follows config changes. */
  async run(): Promise<void> {
    const client = createStatsClient({ log: this.log });
    const worker = attachLauncherStats({ events: this.launcher.events, zk: this.zk, log: this.log, client, view: launcherNodeView(this.launcher) });
    this.stats = { worker, client };
    await this.launcher.start();
    this.config.watch((loaded) => this.apply(loaded));
    this.log.info({ config: this.config.source.configPath, providers: this.launcher.currentConfig.providers.map((p) => p.name) }, "launcher started");
  }

  protected async shutdown(): Promise<void> {
    if (this.stats !== undefined) {
      await this.stats.worker.stop();
      await this.stats.client.close();
    }
    await this.launcher.stop();
    await this.web?.app.close();
    this.web?.detach();
    this.zk.close();
  }

  private async apply(loaded: LoadedConfig): Promise<void> {
    const { config } = loaded;
    if (JSON.stringify(config.webapp) !== JSON.stringify(this.first.webapp)) {
      this.log.warn({ webapp: config.webapp }, "webapp settings are read at start only; restart the launcher to apply them");
    }
    followZookeeperServers(this.zk, config, this.zookeeperOverride, this.log);
    await this.launcher.reconfigure(config);
    this.log.info({ providers: config.providers.map((p) => p.name) }, "config change applied");
  }
}
