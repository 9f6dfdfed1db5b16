/**
 * Leak metrics (behaviour.md §7.5): counters `provider.<P>.leaked.instances`, `.ports` and
 * `.floatingips`, incremented by what one cleanup pass removed; nothing when it removed none.
 */
import type { LeakEvent } from "../reconcile/events.ts";
import { counter, type Metric } from "./metric.ts";

export function leakMetrics(event: LeakEvent): Metric[] {
  if (!(event.count > 0)) return [];
  return [counter(`provider.${event.provider}.leaked.${event.kind}`, event.count)];
}
