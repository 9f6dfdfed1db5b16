/**
 * The deleted-node worker's decisions (behaviour.md §2.16): free ready nodes whose request is
 * gone (on the worker's sweep); delete nodes in used, in-use, building, failed, aborted, deleting or deleted state that
 * nobody holds, for providers configured here; and collect `init` nodes abandoned by a crash
 * between create and lock (Appendix A 23).
 */
import type { DeallocateNode, DeleteNode } from "../reconcile/actions.ts";
import type { NodeState } from "../zk/records/node.ts";
import type { Observed, ObservedNode } from "../reconcile/state.ts";

const DELETABLE: ReadonlySet<NodeState> = new Set(["used", "in-use", "building", "failed", "aborted", "deleting", "deleted"]);

/** An unlocked `init` node older than this was abandoned (never a fresh one: it is locked right after creation). */
export const ABANDONED_INIT_AGE_S = 300;

const untouchable = (observed: Observed, node: ObservedNode): boolean =>
  observed.heldNodes.has(node.id) || observed.busy.has(node.id);

const sweeping = (observed: Observed): boolean => observed.sweepDue !== false;

export function planDeallocate(observed: Observed, node: ObservedNode): DeallocateNode | null {
  if (!sweeping(observed) || node.state !== "ready" || node.allocatedTo === null || observed.requests.has(node.allocatedTo)) return null;
  if (untouchable(observed, node)) return null;
  return { kind: "deallocate", provider: node.provider, node: node.id, reason: `request ${node.allocatedTo} is gone` };
}

/**
 * How long a node's deletion may wait while requests are being served: requests are what the
 * requestor waits on, a deletion only frees room (the reference's deleted-node worker runs every
 * 5 s). Never while a pool waits for room.
 */
export const REQUESTS_FIRST_S = 1;

/**
 * `requestsFirst`: request work is planned or running and no pool waits for quota, so a node
 * that became deletable less than REQUESTS_FIRST_S ago waits.
 */
export function planDelete(observed: Observed, node: ObservedNode, now: number, requestsFirst = false): DeleteNode | null {
  if (untouchable(observed, node)) return null;
  if (node.state === "in-use" && !sweeping(observed)) return null;
  if (DELETABLE.has(node.state)) {
    if (requestsFirst && now - node.stateTime < REQUESTS_FIRST_S) return null;
    return { kind: "delete-node", provider: node.provider, node: node.id, reason: `node is ${node.state}` };
  }
  if (node.state === "init" && now - node.stateTime >= ABANDONED_INIT_AGE_S) {
    return { kind: "delete-node", provider: node.provider, node: node.id, reason: "init node abandoned" };
  }
  return null;
}

/** When a deletion that waits for requests (`requestsFirst`) is due. */
export function requestsFirstDeadline(node: ObservedNode): number | null {
  return DELETABLE.has(node.state) ? node.stateTime + REQUESTS_FIRST_S : null;
}

/** When an `init` node will count as abandoned. */
export function initDeadline(node: ObservedNode): number | null {
  return node.state === "init" ? node.stateTime + ABANDONED_INIT_AGE_S : null;
}
