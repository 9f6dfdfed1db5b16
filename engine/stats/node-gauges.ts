/**
 * Node gauges (behaviour.md §7.2), sent by the stats leader: `nodes.<S>`,
 * `provider.<P>.nodes.<S>` and `label.<L>.nodes.<S>`. Every state of the node vocabulary starts
 * at 0 for every provider and label of the registered launchers, so idle states are reported as
 * 0; then each node counts once for its provider and once for each of its labels.
 */
import { NODE_STATES, type NodeRecord, type NodeState } from "../zk/records/node.ts";
import type { LauncherRecord } from "../zk/records/launcher.ts";
import { gauge, type Metric } from "./metric.ts";

export type NodeCounted = Pick<NodeRecord, "state" | "provider" | "type">;
export type LauncherCounted = Pick<LauncherRecord, "providerName" | "supportedLabels">;

/** Counts of one group; a state without an entry is not reported (it was never initialised). */
type StateCounts = Partial<Record<NodeState, number>>;

const zeroes = (): StateCounts => Object.fromEntries(NODE_STATES.map((state) => [state, 0]));

/**
 * Counts per name, kept per name so keys are built once per name rather than once per node.
 * Names from registrations start with every state at 0; others get only the states seen.
 */
function countsOf(groups: Map<string, StateCounts>, name: string, initial: () => StateCounts = () => ({})): StateCounts {
  let counts = groups.get(name);
  if (counts === undefined) {
    counts = initial();
    groups.set(name, counts);
  }
  return counts;
}

function add(counts: StateCounts, state: NodeState): void {
  counts[state] = (counts[state] ?? 0) + 1;
}

export function nodeGauges(nodes: Iterable<NodeCounted>, launchers: Iterable<LauncherCounted>): Metric[] {
  const total = zeroes();
  const providers = new Map<string, StateCounts>();
  const labels = new Map<string, StateCounts>();
  for (const launcher of launchers) {
    countsOf(providers, launcher.providerName, zeroes);
    for (const label of launcher.supportedLabels) countsOf(labels, label, zeroes);
  }
  for (const node of nodes) {
    add(total, node.state);
    for (const label of node.type) add(countsOf(labels, label), node.state);
    // A record without a provider (written by another tool) has no provider key to count under.
    if (node.provider !== null) add(countsOf(providers, node.provider), node.state);
  }
  const metrics: Metric[] = [];
  const emit = (prefix: string, counts: StateCounts): void => {
    for (const state of NODE_STATES) {
      const count = counts[state];
      if (count !== undefined) metrics.push(gauge(`${prefix}nodes.${state}`, count));
    }
  };
  emit("", total);
  for (const [provider, counts] of providers) emit(`provider.${provider}.`, counts);
  for (const [label, counts] of labels) emit(`label.${label}.`, counts);
  return metrics;
}
