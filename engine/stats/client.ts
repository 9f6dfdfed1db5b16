/**
 * The statsd client every daemon shares (behaviour.md §7.1): hot-shots over UDP, enabled only
 * when STATSD_HOST and/or STATSD_PORT is set, every key under the literal `nodepool.` prefix,
 * and each group of metrics sent together in as few datagrams as fit, as the reference's
 * statsd pipeline does.
 */
import StatsD from "hot-shots";
import type { Logger } from "../log.ts";
import { NodepoolError } from "../errors.ts";
import type { Metric } from "./metric.ts";

/** STATSD_PORT is not a port number: fix the environment. */
export class StatsConfigError extends NodepoolError {
  readonly code = "stats.bad-port";
  override readonly exitCode = 1;
}

export interface StatsTarget {
  readonly host: string;
  readonly port: number;
}

export interface StatsClient {
  /** False when statsd is not configured: `send` does nothing and no socket is open. */
  readonly enabled: boolean;
  /** Sends one group of metrics now, batched `\n`-separated into datagrams of at most 512 bytes. */
  send(metrics: readonly Metric[]): void;
  /** Flushes what is queued and closes the socket. */
  close(): Promise<void>;
}

/** The reference's statsd pipeline packet limit. */
const MAX_DATAGRAM_BYTES = 512;

/**
 * Where to send metrics, from the environment; null when neither variable is set (an empty
 * value counts as unset, as in the reference). Defaults: `localhost`, 8125.
 */
export function statsTarget(env: NodeJS.ProcessEnv = process.env): StatsTarget | null {
  const host = env.STATSD_HOST || undefined;
  const portText = env.STATSD_PORT || undefined;
  if (host === undefined && portText === undefined) return null;
  const port = portText === undefined ? 8125 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StatsConfigError(`STATSD_PORT must be a port number from 1 to 65535, got "${portText ?? ""}"; fix it or unset it to disable statsd`);
  }
  return { host: host ?? "localhost", port };
}

const disabled: StatsClient = {
  enabled: false,
  send: () => undefined,
  close: async () => undefined,
};

/** A client for the environment's statsd, or a no-op one when statsd is not configured. */
export function createStatsClient(options: { log: Logger; env?: NodeJS.ProcessEnv }): StatsClient {
  const target = statsTarget(options.env);
  if (target === null) return disabled;
  const log = options.log;
  let warned = false;
  const statsd = new StatsD({
    host: target.host,
    port: target.port,
    protocol: "udp",
    prefix: "nodepool.",
    maxBufferSize: MAX_DATAGRAM_BYTES,
    // Groups are flushed as soon as they are queued; the interval only backs that up.
    bufferFlushInterval: 1000,
    datadog: false,
    includeDatadogTelemetry: false,
    errorHandler: (error) => {
      // Metrics are best effort; one warning says statsd is unreachable without flooding the log.
      if (!warned) log.warn({ err: error, statsd: `${target.host}:${target.port}` }, "sending statsd metrics failed");
      warned = true;
    },
  });
  log.info({ statsd: `${target.host}:${target.port}` }, "statsd enabled");
  return {
    enabled: true,
    send(metrics) {
      if (metrics.length === 0) return;
      for (const metric of metrics) {
        switch (metric.type) {
          case "counter":
            statsd.increment(metric.key, metric.value);
            break;
          case "timer":
            statsd.timing(metric.key, metric.value);
            break;
          case "gauge":
            // A signed gauge value is a delta to statsd; the reference's client sends 0 first.
            if (metric.value < 0) statsd.gauge(metric.key, 0);
            statsd.gauge(metric.key, metric.value);
            break;
        }
      }
      statsd.flush();
    },
    close: () => new Promise<void>((resolve) => statsd.close(() => resolve())),
  };
}
