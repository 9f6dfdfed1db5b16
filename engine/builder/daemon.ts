/**
 * The `nodepool-builder` daemon around the builder (behaviour.md §4.1, §8.2): load the config
 * (refusing to start without `images-dir` or ZooKeeper servers), read or create the builder id,
 * connect, run the builder, apply config changes as its files change (an invalid config is
 * refused with its errors logged and the last good one kept), serve Prometheus metrics when
 * given a metrics port (from a watched cache of the image tree), stop cleanly.
 */
import { DaemonConfig, type ConfigSource } from "../daemon/config.ts";
import { ConfiguredDaemon } from "../daemon/daemon.ts";
import { followZookeeperServers } from "../daemon/zookeeper-servers.ts";
import { NodepoolError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { attachBuilderMetrics, daemonMetrics, startMetricsServer, type MetricsListen, type RunningMetricsServer } from "../metrics/index.ts";
import { createStatsClient, type StatsClient } from "../stats/client.ts";
import { ImageCache } from "../zk/caches.ts";
import { zkHostsFromConfig } from "../zk/connection.ts";
import { NodepoolZk } from "../zk/nodepool-zk.ts";
import { Builder } from "./builder.ts";
import { DEFAULT_DIB_COMMAND } from "./dib-command.ts";
import { readOrCreateBuilderId } from "./local-files.ts";

export class BuilderConfigError extends NodepoolError {
  readonly code = "builder.config";
  override readonly exitCode = 1;
}

export interface BuilderDaemonOptions extends ConfigSource {
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
  /** Serve `/metrics` here (`--metrics-port`); absent: no metrics endpoint. */
  metricsListen?: MetricsListen;
}

/** The metrics endpoint and what feeds it. */
interface MetricsEndpoint {
  readonly server: RunningMetricsServer;
  readonly images: ImageCache;
  readonly detach: () => void;
}

export class BuilderDaemon extends ConfiguredDaemon {
  private constructor(
    readonly builder: Builder,
    readonly builderId: string,
    private readonly zk: NodepoolZk,
    private readonly stats: StatsClient,
    config: DaemonConfig,
    private readonly metrics: MetricsEndpoint | undefined,
  ) {
    super(config);
  }

  static async start(options: BuilderDaemonOptions): Promise<BuilderDaemon> {
    const { log } = options;
    const config = await DaemonConfig.load(options, log);
    const { config: first, secretPaths } = config.current;
    const imagesDir = first["images-dir"];
    if (imagesDir === undefined) throw new BuilderConfigError(`No images-dir specified in ${options.configPath}: the builder needs a directory for its images`);
    if (options.zookeeper === undefined && first["zookeeper-servers"].length === 0) {
      throw new BuilderConfigError(`No ZooKeeper servers configured in ${options.configPath} (zookeeper-servers), nor given with --zookeeper`);
    }
    const builderId = await readOrCreateBuilderId(imagesDir);
    const zk = await NodepoolZk.connect({ hosts: options.zookeeper ?? zkHostsFromConfig(first["zookeeper-servers"]), logger: log });
    const stats = createStatsClient({ log });
    const metrics = options.metricsListen === undefined ? undefined : daemonMetrics();
    if (metrics) metrics.observeZookeeper(zk.client);
    const builder = new Builder({
      zk,
      config: first,
      secretPaths,
      builderId,
      imagesDir,
      log,
      stats,
      dibCommand: options.dibCommand ?? DEFAULT_DIB_COMMAND,
      ...(metrics === undefined ? {} : { apiCalls: metrics.apiCalls }),
      ...(options.buildWorkers === undefined ? {} : { buildWorkers: options.buildWorkers }),
      ...(options.uploadWorkers === undefined ? {} : { uploadWorkers: options.uploadWorkers }),
      ...(options.cleanup === undefined ? {} : { cleanup: options.cleanup }),
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      ...(options.periodicMs === undefined ? {} : { periodicMs: options.periodicMs }),
    });
    let endpoint: MetricsEndpoint | undefined;
    if (metrics && options.metricsListen) {
      const images = new ImageCache(zk.client);
      const detach = attachBuilderMetrics({ registry: metrics.registry, images, events: builder.events });
      try {
        await images.start();
        endpoint = { server: await startMetricsServer({ listen: options.metricsListen, registry: metrics.registry, log }), images, detach };
      } catch (error) {
        detach();
        images.close();
        zk.close();
        throw error;
      }
    }
    const daemon = new BuilderDaemon(builder, builderId, zk, stats, config, endpoint);
    try {
      await builder.start();
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    config.watch(async ({ config: changed, secretPaths: paths }) => {
      followZookeeperServers(zk, changed, options.zookeeper, log);
      await builder.reconfigure(changed, paths);
      log.info({ images: changed.diskimages.map((d) => d.name) }, "config change applied");
    });
    log.info({ config: options.configPath, builderId, images: first.diskimages.map((d) => d.name) }, "builder started");
    return daemon;
  }

  /** `http://host:port` of the metrics endpoint, when it runs. */
  get metricsUrl(): string | undefined {
    return this.metrics?.server.url;
  }

  protected async shutdown(): Promise<void> {
    await this.builder.stop();
    await this.stats.close();
    if (this.metrics) {
      await this.metrics.server.close();
      this.metrics.detach();
      this.metrics.images.close();
    }
    this.zk.close();
  }
}
