/**
 * What the executor reports as it works, for statsd, the web API and benchmarks to subscribe
 * to: launch results with their duration and breakdowns (behaviour.md §7.4), leaked resources
 * (§7.5), request outcomes and every action's completion.
 */
import { EventEmitter } from "node:events";
import type { LaunchResultClass } from "../drivers/driver.ts";
import type { LauncherId, NodeId, RequestId } from "../zk/ids.ts";
import type { Action } from "./actions.ts";

export interface LaunchEvent {
  provider: string;
  pool: string;
  label: string;
  /** The node's AZ, when it has one. */
  az: string | null;
  /** Diskimage or cloud-image name. */
  image: string | null;
  /** The request's requestor, verbatim (statsd normalises it). */
  requestor: string | null;
  node: NodeId;
  request: RequestId;
  result: LaunchResultClass;
  /** Why it failed (the last attempt's error), null when ready. */
  reason: string | null;
  /** Whole launch, retries included. */
  durationMs: number;
}

export interface LeakEvent {
  provider: string;
  kind: "instances" | "ports" | "floatingips";
  count: number;
}

export interface RequestEvent {
  request: RequestId;
  outcome: "accepted" | "fulfilled" | "declined" | "failed";
  launcher: LauncherId | null;
  requestor: string | null;
  /** From the request's state_time at acceptance (or submission) to this outcome. */
  durationMs: number;
}

export interface ActionEvent {
  action: Action;
  ok: boolean;
  durationMs: number;
  error?: unknown;
}

export interface PoolEvent {
  provider: string;
  pool: string;
  maxServers: number;
}

export interface EngineEvents {
  launch: [LaunchEvent];
  leak: [LeakEvent];
  request: [RequestEvent];
  action: [ActionEvent];
  /** A node record was deleted (its server gone). */
  "node-deleted": [{ provider: string | null; node: NodeId }];
  /** A pass ran: how many actions it planned and how long planning took. */
  pass: [{ actions: number; planMs: number }];
  /** A pool worker iteration (registration refreshed): the max_servers gauge (§7.3). */
  pool: [PoolEvent];
}

export class EngineEventEmitter extends EventEmitter<EngineEvents> {}
