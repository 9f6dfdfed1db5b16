/**
 * max-ready-age (behaviour.md §2.14): ready, unallocated nodes of a label with max-ready-age
 * > 0, of a provider configured here, older than that age, are marked for deletion.
 */
import type { MarkDeleting } from "../reconcile/actions.ts";
import type { Desired, ObservedNode } from "../reconcile/state.ts";
import { formatDuration } from "./duration.ts";

/** The age limit applying to a ready node, or null when none does. */
function maxAge(desired: Desired, node: ObservedNode): number | null {
  let limit: number | null = null;
  for (const label of node.type) {
    const age = desired.labels.get(label)?.maxReadyAge ?? 0;
    if (age > 0 && (limit === null || age < limit)) limit = age;
  }
  return limit;
}

/** When the node will exceed its max-ready-age, or null if it never will. */
export function readyAgeDeadline(desired: Desired, node: ObservedNode): number | null {
  if (node.state !== "ready" || node.allocatedTo !== null) return null;
  const age = maxAge(desired, node);
  return age === null ? null : node.stateTime + age;
}

export function planMaxReadyAge(desired: Desired, node: ObservedNode, now: number): MarkDeleting | null {
  const deadline = readyAgeDeadline(desired, node);
  if (deadline === null || now < deadline) return null;
  return {
    kind: "mark-deleting",
    provider: node.provider,
    node: node.id,
    reason: `max-ready-age ${formatDuration(maxAge(desired, node) ?? 0)} exceeded: delete`,
  };
}
