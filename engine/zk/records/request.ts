import { z } from "zod";
import { splitRequestId, type LauncherId, type NodeId, type RequestId } from "../ids.ts";
import { epochSeconds, encodeJson, extraFields, nullableString, parseJsonObject, stateTime, stringList, validate, type Extra } from "./_codec.ts";

/** NodeRequest record, `/nodepool/requests/<PPP>-<seq10>` (spec/zookeeper.md §2.2). */

export const REQUEST_STATES = ["requested", "pending", "fulfilled", "failed"] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** The requestor Nodepool's min-ready requests carry; launchers treat it specially. */
export const MIN_READY_REQUESTOR = "NodePool:min-ready";

export interface NodeRequestRecord {
  /** From the znode name; undefined until submitted. */
  readonly id?: RequestId;
  readonly state: RequestState;
  readonly stateTime: number;
  /** Requested labels, ordered; `nodes[i]` satisfies `nodeTypes[i]`. */
  readonly nodeTypes: readonly string[];
  readonly nodes: readonly NodeId[];
  /** Append-only, no duplicates. */
  readonly declinedBy: readonly LauncherId[];
  readonly reuse: boolean;
  readonly requestor: string | null;
  /** Preferred provider. */
  readonly provider: string | null;
  readonly relativePriority: number;
  /** Fields of other writers (Zuul's `created_time`); survive our rewrites. */
  readonly extra: Extra;
}

const wire = z.object({
  state: z.enum(REQUEST_STATES),
  state_time: stateTime,
  declined_by: stringList,
  node_types: stringList,
  nodes: stringList,
  reuse: z.boolean().default(true),
  requestor: nullableString,
  provider: nullableString,
  relative_priority: z
    .number()
    .nullable()
    .default(0)
    .transform((value) => value ?? 0),
});
const KNOWN = new Set(Object.keys(wire.shape));

export function decodeRequest(id: RequestId, data: Buffer, path: string): NodeRequestRecord | "empty" {
  const raw = parseJsonObject(data, path);
  if (raw === "empty") return "empty";
  const d = validate(wire, raw, path, "node request");
  return {
    id,
    state: d.state,
    stateTime: d.state_time,
    nodeTypes: d.node_types,
    nodes: d.nodes as NodeId[],
    declinedBy: d.declined_by as LauncherId[],
    reuse: d.reuse,
    requestor: d.requestor,
    provider: d.provider,
    relativePriority: d.relative_priority,
    extra: extraFields(raw, KNOWN),
  };
}

/** Nodepool's full field set, plus preserved fields of other writers. */
export function encodeRequest(request: NodeRequestRecord): Buffer {
  return encodeJson(request.extra, {
    state: request.state,
    state_time: request.stateTime,
    declined_by: [...request.declinedBy],
    node_types: [...request.nodeTypes],
    nodes: [...request.nodes],
    reuse: request.reuse,
    requestor: request.requestor,
    provider: request.provider,
    relative_priority: request.relativePriority,
  });
}

export function newRequest(
  fields: Partial<Omit<NodeRequestRecord, "id" | "state">> & { readonly nodeTypes: readonly string[] },
  now: number = epochSeconds(),
): NodeRequestRecord {
  return {
    state: "requested",
    stateTime: now,
    nodes: [],
    declinedBy: [],
    reuse: true,
    requestor: null,
    provider: null,
    relativePriority: 0,
    extra: {},
    ...fields,
  };
}

export function withRequestState(request: NodeRequestRecord, state: RequestState, now: number = epochSeconds()): NodeRequestRecord {
  return { ...request, state, stateTime: now };
}

/**
 * The order launchers serve requests in (spec §4.3 step 4): priority prefix as a string, then
 * relative priority as a number, then the sequence suffix as a string.
 */
export function compareRequests(a: Pick<NodeRequestRecord, "id" | "relativePriority">, b: Pick<NodeRequestRecord, "id" | "relativePriority">): number {
  const ka = splitRequestId(a.id ?? "");
  const kb = splitRequestId(b.id ?? "");
  if (ka.priority !== kb.priority) return ka.priority < kb.priority ? -1 : 1;
  if (a.relativePriority !== b.relativePriority) return a.relativePriority - b.relativePriority;
  if (ka.sequence !== kb.sequence) return ka.sequence < kb.sequence ? -1 : 1;
  return 0;
}
