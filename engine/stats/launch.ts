/**
 * Launch metrics (behaviour.md §7.4): at the end of every launch, a timer with its duration and
 * a counter +1 under each of `launch.<R>`, `launch.provider.<P>.<R>`, `launch.provider.<P>.<az>.<R>`
 * (nodes with an AZ), `launch.image.<image>.<R>` (the guide's key; optional in the spec) and
 * `launch.requestor.<requestor>.<R>` (requests with a requestor, name normalised).
 */
import type { LaunchEvent } from "../reconcile/events.ts";
import { counter, timer, type Metric } from "./metric.ts";

/** Graphite splits keys at `.` and statsd at `:`: the reference replaces both with `_`. */
export function normaliseRequestor(requestor: string): string {
  return requestor.replace(/[.:]/g, "_");
}

/** The launch keys of one launch, in the reference's order; only the requestor is normalised. */
export function launchKeys(event: Pick<LaunchEvent, "provider" | "az" | "image" | "requestor" | "result">): string[] {
  const result = event.result;
  const keys = [`launch.provider.${event.provider}.${result}`];
  if (event.image) keys.push(`launch.image.${event.image}.${result}`);
  keys.push(`launch.${result}`);
  if (event.az) keys.push(`launch.provider.${event.provider}.${event.az}.${result}`);
  if (event.requestor) keys.push(`launch.requestor.${normaliseRequestor(event.requestor)}.${result}`);
  return keys;
}

/** None for a launch abandoned at shutdown: the spec has no result class for it (§8.1). */
export function launchMetrics(event: LaunchEvent): Metric[] {
  if (event.result === "abandoned") return [];
  return launchKeys(event).flatMap((key) => [timer(key, event.durationMs), counter(key)]);
}
