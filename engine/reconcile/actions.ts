/**
 * What `plan()` decides: one action per thing the next pass would change, each with the
 * provider it belongs to (for grouping), a marker (+ create, - delete, ~ change) and a reason a
 * person can read ("min-ready 3, 1 ready: launch 2"). `nodepool plan` prints these; the
 * executor carries them out.
 */
import type { ServerId } from "../drivers/driver.ts";
import type { LauncherId, NodeId, RequestId } from "../zk/ids.ts";

/** An object whose last attempts failed waits until `at` (epoch seconds) before the next (per-object backoff). */
export interface RetryDue {
  at: number;
  failures: number;
  error: string;
}

interface Base {
  /** Provider the action belongs to; null for actions that span providers (min-ready). */
  provider: string | null;
  reason: string;
  /** Set when the action's object is backing off: the pass does not take it before `retry.at`. */
  retry?: RetryDue;
}

/** Take a `requested` request for a pool: mark it pending, reuse ready nodes, launch the rest. */
export interface AcceptRequest extends Base {
  kind: "accept";
  request: RequestId;
  pool: string;
  /** Launcher ids of this process's pools that declined it first (written in the same update). */
  declinedBy: LauncherId[];
  assign: NodeId[];
  launch: string[];
  az: string | null;
  /** No room for some labels: the pool pauses on this request once accepted. */
  paused: boolean;
}

/** Continue a request this process holds: reuse or launch for labels still missing. */
export interface ContinueRequest extends Base {
  kind: "continue";
  request: RequestId;
  pool: string;
  /** Aborted nodes to unlock and forget (the deleted-node pass removes them). */
  release: NodeId[];
  assign: NodeId[];
  launch: string[];
  az: string | null;
  paused: boolean;
}

/** A paused request: free quota by deleting the pool's oldest idle node (behaviour.md §2.8). */
export interface ReclaimNode extends Base {
  kind: "reclaim";
  request: RequestId;
  pool: string;
  node: NodeId;
}

export interface FulfilRequest extends Base {
  kind: "fulfil";
  request: RequestId;
  pool: string;
  nodes: NodeId[];
}

/** Decline for one or more pools; `fail` when every registered launcher has declined. */
export interface DeclineRequest extends Base {
  kind: "decline";
  request: RequestId;
  declinedBy: LauncherId[];
  fail: boolean;
  /** Held nodes to unlock after clearing their allocation (decision-phase declines). */
  release: NodeId[];
  /** Held nodes to unlock keeping their allocation (after failed launches, quirk 22). */
  keep: NodeId[];
}

/** A request znode whose data is no request record: fail it, keeping what reads (design.md). */
export interface FailMalformedRequest extends Base {
  kind: "fail-malformed";
  request: RequestId;
  /** This process's pools, recorded as having declined it. */
  declinedBy: LauncherId[];
}

/** The requestor deleted a request this process holds: free its nodes. */
export interface AbandonRequest extends Base {
  kind: "abandon";
  request: RequestId;
  nodes: NodeId[];
}

/** Submit min-ready requests, one node each. */
export interface MinReadyRequests extends Base {
  kind: "min-ready";
  label: string;
  count: number;
}

/** One of this process's min-ready requests is done: free its nodes and delete it. */
export interface MinReadyDone extends Base {
  kind: "min-ready-done";
  request: RequestId;
  label: string;
  nodes: NodeId[];
  /** It failed: the label waits for the retry delay before its next min-ready request. */
  failed: boolean;
}

/** Mark a node `deleting` (max-ready-age, hold expiry). */
export interface MarkDeleting extends Base {
  kind: "mark-deleting";
  node: NodeId;
}

/** Delete a node's server and record (the deleted-node worker). */
export interface DeleteNode extends Base {
  kind: "delete-node";
  node: NodeId;
}

/** Clear `allocated_to` of a ready node whose request is gone. */
export interface DeallocateNode extends Base {
  kind: "deallocate";
  node: NodeId;
}

/** A `pending` request nobody holds: back to `requested` (behaviour.md §2.17 step 3). */
export interface ResetLostRequest extends Base {
  kind: "reset-lost-request";
  request: RequestId;
}

export interface RemoveEmptyNode extends Base {
  kind: "remove-empty-node";
  node: NodeId;
}

/** A server carrying this provider's metadata without a node record: record it for deletion. */
export interface LeakedServer extends Base {
  kind: "leaked-server";
  provider: string;
  server: ServerId;
  /** The node the server's metadata names, whose record was not seen. */
  node: NodeId;
}

/** Write `count` ready node records for an existing host, after checking it (static driver, §3B.2). */
export interface RegisterHost extends Base {
  kind: "register-host";
  provider: string;
  pool: string;
  host: string;
  count: number;
}

/** Mark a free node of an existing host `deleting`: the host is removed, down or has too many. */
export interface DeregisterNode extends Base {
  kind: "deregister-node";
  provider: string;
  node: NodeId;
  host: string;
}

/** The record fields an update of a host's free node rewrites (node record key names). */
export interface InventoryFields {
  type: readonly string[];
  username: string;
  connection_type: string;
  connection_port: number;
  /** Absent: keep the record's keys (the host has not been scanned since it changed). */
  host_keys?: readonly string[];
}

/** Rewrite a free node of an existing host whose labels or connection details changed. */
export interface UpdateNode extends Base {
  kind: "update-node";
  provider: string;
  node: NodeId;
  host: string;
  fields: InventoryFields;
}

/** What the inventory of existing hosts plans (engine/launcher/inventory.ts). */
export type InventoryAction = RegisterHost | DeregisterNode | UpdateNode;

export type Action =
  | AcceptRequest
  | ContinueRequest
  | ReclaimNode
  | FulfilRequest
  | DeclineRequest
  | FailMalformedRequest
  | AbandonRequest
  | MinReadyRequests
  | MinReadyDone
  | MarkDeleting
  | DeleteNode
  | DeallocateNode
  | ResetLostRequest
  | RemoveEmptyNode
  | LeakedServer
  | InventoryAction;

export type Marker = "+" | "-" | "~";

export function markerOf(action: Action): Marker {
  switch (action.kind) {
    case "accept":
    case "continue":
      return action.launch.length > 0 ? "+" : "~";
    case "min-ready":
    case "register-host":
      return "+";
    case "reclaim":
    case "mark-deleting":
    case "delete-node":
    case "remove-empty-node":
    case "leaked-server":
    case "min-ready-done":
    case "deregister-node":
      return "-";
    default:
      return "~";
  }
}

/** One line per action, as `nodepool plan` prints it. */
export function describeAction(action: Action): string {
  const what = ((): string => {
    switch (action.kind) {
      case "accept":
      case "continue": {
        const parts = [
          ...(action.assign.length > 0 ? [`reuse ${action.assign.join(",")}`] : []),
          ...(action.launch.length > 0 ? [`launch ${action.launch.join(",")}`] : []),
          ...(action.paused ? ["pause"] : []),
        ];
        return `${action.kind} request ${action.request} in pool ${action.pool}${parts.length ? `: ${parts.join(", ")}` : ""}`;
      }
      case "reclaim":
        return `delete idle node ${action.node} for request ${action.request}`;
      case "fulfil":
        return `fulfil request ${action.request} with ${action.nodes.length > 0 ? action.nodes.join(",") : "no nodes"}`;
      case "decline":
        return `${action.fail ? "fail" : "decline"} request ${action.request}`;
      case "fail-malformed":
        return `fail malformed request ${action.request}`;
      case "abandon":
        return `release nodes of deleted request ${action.request}`;
      case "min-ready":
        return `request ${action.count} ${action.label} node${action.count === 1 ? "" : "s"}`;
      case "min-ready-done":
        return `complete min-ready request ${action.request}`;
      case "mark-deleting":
      case "delete-node":
        return `delete node ${action.node}`;
      case "deallocate":
        return `deallocate node ${action.node}`;
      case "reset-lost-request":
        return `reset lost request ${action.request}`;
      case "remove-empty-node":
        return `remove empty node znode ${action.node}`;
      case "leaked-server":
        return `delete leaked server ${action.server}`;
      case "register-host":
        return `register ${action.count} node${action.count === 1 ? "" : "s"} for host ${action.host} in pool ${action.pool}`;
      case "deregister-node":
        return `deregister node ${action.node} of host ${action.host}`;
      case "update-node":
        return `update node ${action.node} of host ${action.host}`;
    }
  })();
  const retry = action.retry === undefined ? "" : ` [next try at ${new Date(action.retry.at * 1000).toISOString()} after ${action.retry.failures} failure${action.retry.failures === 1 ? "" : "s"}: ${action.retry.error}]`;
  return `${markerOf(action)} ${what}${retry} (${action.reason})`;
}

/** The object an action works on: at most one action per object runs at a time, and backoff is per object. */
export function keyOf(action: Action): string {
  switch (action.kind) {
    case "min-ready":
      return `min-ready:${action.label}`;
    case "leaked-server":
      return `server:${action.server}`;
    case "register-host":
      return `host:${action.provider}/${action.host}`;
    case "mark-deleting":
    case "delete-node":
    case "deallocate":
    case "remove-empty-node":
    case "reclaim":
    case "deregister-node":
    case "update-node":
      return action.node;
    default:
      return action.request;
  }
}

/** Actions grouped by provider, in plan order; cross-provider actions under `null`. */
export function groupByProvider(actions: readonly Action[]): Map<string | null, Action[]> {
  const groups = new Map<string | null, Action[]>();
  for (const action of actions) {
    const list = groups.get(action.provider);
    if (list) list.push(action);
    else groups.set(action.provider, [action]);
  }
  return groups;
}
