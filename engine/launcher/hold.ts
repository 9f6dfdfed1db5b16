/**
 * Hold, hold expiration and max-hold-age (behaviour.md §2.15): a held node may stay
 * `min(hold_expiration if > 0, max-hold-age if > 0)` seconds from entering `hold`.
 */
import type { MarkDeleting } from "../reconcile/actions.ts";
import type { Desired, ObservedNode } from "../reconcile/state.ts";
import { formatDuration } from "./duration.ts";

function allowedHold(desired: Desired, node: ObservedNode): number {
  const expiration = node.holdExpiration !== null && node.holdExpiration > 0 ? node.holdExpiration : Infinity;
  const maxHold = desired.maxHoldAge > 0 ? desired.maxHoldAge : Infinity;
  return Math.min(expiration, maxHold);
}

/** When the held node expires, or null if it never does. */
export function holdDeadline(desired: Desired, node: ObservedNode): number | null {
  if (node.state !== "hold") return null;
  const allowed = allowedHold(desired, node);
  return Number.isFinite(allowed) ? node.stateTime + allowed : null;
}

export function planHoldExpiry(desired: Desired, node: ObservedNode, now: number): MarkDeleting | null {
  const deadline = holdDeadline(desired, node);
  if (deadline === null || now < deadline) return null;
  const which = node.holdExpiration !== null && node.holdExpiration > 0 && node.holdExpiration <= (desired.maxHoldAge > 0 ? desired.maxHoldAge : Infinity)
    ? "hold_expiration"
    : "max-hold-age";
  return {
    kind: "mark-deleting",
    provider: node.provider,
    node: node.id,
    reason: `${which} ${formatDuration(allowedHold(desired, node))} exceeded: delete`,
  };
}
