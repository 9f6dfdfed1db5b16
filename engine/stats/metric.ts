/**
 * One statsd metric as plain data: what the pure metric functions return and the client sends.
 * Keys are written without the `nodepool.` prefix, which the client adds (behaviour.md §7.1).
 */

export type MetricType = "counter" | "gauge" | "timer";

export interface Metric {
  /** Without the `nodepool.` prefix, e.g. `launch.provider.cloud1.ready`. */
  readonly key: string;
  readonly type: MetricType;
  readonly value: number;
}

export function counter(key: string, value = 1): Metric {
  return { key, type: "counter", value };
}

export function gauge(key: string, value: number): Metric {
  return { key, type: "gauge", value };
}

/** Timers are integer milliseconds (§7.1). */
export function timer(key: string, ms: number): Metric {
  return { key, type: "timer", value: Math.round(ms) };
}
