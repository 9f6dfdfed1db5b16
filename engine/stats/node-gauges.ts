/**
 * Node gauges (behaviour.md §7.2), sent by the stats leader: `nodes.<S>`,
 * `provider.<P>.nodes.<S>` and `label.<L>.nodes.<S>`. Every state of the node vocabulary starts
 * at 0 for every provider and label of the registered launchers, so idle states are reported as
 * 0; then each node counts once for its provider and once for each of its labels.
 */
import { NODE_STATES, type NodeRecord } from "../zk/records/node.ts";
import type { LauncherRecord } from "../zk/records/launcher.ts";
import { gauge, type Metric } from "./metric.ts";

export type NodeCounted = Pick<NodeRecord, "state" | "provider" | "type">;
export type LauncherCounted = Pick<LauncherRecord, "providerName" | "supportedLabels">;

export function nodeGauges(nodes: Iterable<NodeCounted>, launchers: Iterable<LauncherCounted>): Metric[] {
  const providers = new Set<string>();
  const labels = new Set<string>();
  for (const launcher of launchers) {
    providers.add(launcher.providerName);
    for (const label of launcher.supportedLabels) labels.add(label);
  }
  const counts = new Map<string, number>();
  for (const state of NODE_STATES) {
    counts.set(`nodes.${state}`, 0);
    for (const provider of providers) counts.set(`provider.${provider}.nodes.${state}`, 0);
  }
  for (const label of labels) for (const state of NODE_STATES) counts.set(`label.${label}.nodes.${state}`, 0);
  const add = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const node of nodes) {
    add(`nodes.${node.state}`);
    for (const label of node.type) add(`label.${label}.nodes.${node.state}`);
    // A record without a provider (written by another tool) has no provider key to count under.
    if (node.provider !== null) add(`provider.${node.provider}.nodes.${node.state}`);
  }
  return [...counts].map(([key, count]) => gauge(key, count));
}
