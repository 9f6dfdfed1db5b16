/** The builder's statsd metrics (behaviour.md §4.8), as plain data for the shared client. */
import { counter, gauge, timer, type Metric } from "../stats/metric.ts";

export interface BuildOutcome {
  readonly image: string;
  readonly rc: number;
  readonly durationMs: number;
  /** Epoch seconds at the end of the build. */
  readonly endedAt: number;
  /** Allocated bytes per format, on success only. */
  readonly sizes: ReadonlyMap<string, number>;
}

export function buildMetrics(outcome: BuildOutcome): Metric[] {
  const base = `dib_image_build.${outcome.image}`;
  return [
    ...[...outcome.sizes].map(([format, bytes]) => gauge(`${base}.${format}.size`, bytes)),
    timer(`${base}.status.duration`, outcome.durationMs),
    gauge(`${base}.status.rc`, outcome.rc),
    gauge(`${base}.status.last_build`, Math.floor(outcome.endedAt)),
  ];
}

export function uploadMetrics(image: string, provider: string, durationMs: number): Metric[] {
  const key = `image_update.${image}.${provider}`;
  return [timer(key, durationMs), counter(key)];
}
