/**
 * Request order (behaviour.md §2.4): priority prefix as a string, then relative_priority,
 * then the sequence suffix as a string (submission order).
 */
import { splitRequestId } from "../zk/ids.ts";
import type { ObservedRequest } from "../reconcile/state.ts";

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareRequests(a: ObservedRequest, b: ObservedRequest): number {
  const ia = splitRequestId(a.id);
  const ib = splitRequestId(b.id);
  return cmp(ia.priority, ib.priority) || a.relativePriority - b.relativePriority || cmp(ia.sequence, ib.sequence);
}

export function sortRequests(requests: Iterable<ObservedRequest>): ObservedRequest[] {
  return [...requests].sort(compareRequests);
}
