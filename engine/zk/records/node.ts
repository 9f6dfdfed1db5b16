import { z } from "zod";
import type { NodeId, RequestId } from "../ids.ts";
import { epochSeconds, encodeJson, extraFields, nullableString, parseJsonObject, stateTime, stringList, username, validate, type Extra } from "./_codec.ts";

/** Node record, `/nodepool/nodes/<seq10>` (spec/zookeeper.md §2.3). */

export const NODE_STATES = ["init", "building", "testing", "ready", "in-use", "used", "hold", "deleting", "deleted", "failed", "aborted"] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** `connection_port`: a TCP port, or an object with credentials for Kubernetes/OpenShift nodes. */
export type ConnectionPort = number | Readonly<Record<string, unknown>> | null;

export interface NodeRecord {
  /** From the znode name; never stored in the JSON. Undefined until the node is first stored. */
  readonly id?: NodeId;
  readonly state: NodeState;
  readonly stateTime: number;
  readonly createdTime: number | null;
  readonly provider: string | null;
  readonly pool: string | null;
  /** Labels this node satisfies. */
  readonly type: readonly string[];
  readonly allocatedTo: RequestId | null;
  readonly cloud: string | null;
  readonly region: string | null;
  readonly az: string | null;
  readonly publicIpv4: string | null;
  readonly privateIpv4: string | null;
  readonly publicIpv6: string | null;
  readonly interfaceIp: string | null;
  readonly hostId: string | null;
  readonly connectionType: string | null;
  readonly connectionPort: ConnectionPort;
  readonly hostKeys: readonly string[];
  readonly username: string | null;
  readonly imageId: string | null;
  readonly launcher: string | null;
  readonly externalId: string | null;
  readonly hostname: string | null;
  readonly comment: string | null;
  readonly holdJob: string | null;
  /** Seconds a held node may stay in `hold`; 0 or null = no per-node limit. */
  readonly holdExpiration: number | null;
  readonly resources: Readonly<Record<string, unknown>> | null;
  readonly attributes: Readonly<Record<string, unknown>> | null;
  /** Fields written by other clients that we do not model; survive our rewrites. */
  readonly extra: Extra;
}

/** A node as Zuul and the Python CLI read it. Both sides read every key below. */
const port = z.union([z.number(), z.record(z.string(), z.unknown()), z.null()]);
const jsonObject = z.record(z.string(), z.unknown()).nullable().default(null);
const wire = z.object({
  state: z.enum(NODE_STATES),
  state_time: stateTime,
  created_time: z.number().nullable().default(null),
  provider: nullableString,
  pool: nullableString,
  type: z
    .union([z.string().transform((label) => [label]), z.array(z.string()), z.null()])
    .default([])
    .transform((list) => list ?? []),
  allocated_to: nullableString,
  cloud: nullableString,
  region: nullableString,
  az: nullableString,
  public_ipv4: nullableString,
  private_ipv4: nullableString,
  public_ipv6: nullableString,
  interface_ip: nullableString,
  host_id: nullableString,
  connection_type: nullableString,
  connection_port: port.optional(),
  ssh_port: port.optional(),
  host_keys: stringList,
  username,
  image_id: nullableString,
  launcher: nullableString,
  external_id: nullableString,
  hostname: nullableString,
  comment: nullableString,
  hold_job: nullableString,
  hold_expiration: z.unknown().optional().transform(holdExpiration),
  resources: jsonObject,
  attributes: jsonObject,
});

/** A node's modelled fields as the schema reads them, before they become a NodeRecord. */
export type NodeWire = z.output<typeof wire>;

const KNOWN = new Set(Object.keys(wire.shape));
const STATES: ReadonlySet<string> = new Set(NODE_STATES);
const NULLABLE_STRINGS = [
  "provider", "pool", "allocated_to", "cloud", "region", "az", "public_ipv4", "private_ipv4", "public_ipv6", "interface_ip",
  "host_id", "connection_type", "image_id", "launcher", "external_id", "hostname", "comment", "hold_job",
] as const satisfies readonly (keyof NodeWire)[];
/** Keys Zuul turns into attributes of its node object and that would corrupt it (spec §8.1). */
const ZUUL_RESERVED = new Set(["name", "label", "id", "lock", "source_context", "start_mark"]);
const isReserved = (key: string): boolean => ZUUL_RESERVED.has(key) || key.startsWith("_");

/**
 * `hold_expiration` as Nodepool coerces it: numbers truncate toward zero, a string must be a
 * base-10 integer (else 0), null/absent stays null; anything else counts as "no limit".
 */
export function holdExpiration(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const text = value.trim().replace(/_/g, "");
    return /^[+-]?\d+$/.test(text) ? Number.parseInt(text, 10) : 0;
  }
  return 0;
}

/**
 * The schema's output for a record in the plain form every Nodepool writes — each modelled key
 * absent or of its ordinary JSON type — checked by hand, since zod costs about 10 µs a node
 * and a 10,000-node listing feels it. Undefined for anything else (a label given as a string, a
 * port as an object, a wrong type): the schema then decides, and words the error.
 */
export function plainNodeWire(raw: Record<string, unknown>): NodeWire | undefined {
  const { state, state_time: time, created_time: created, type, host_keys: hostKeys, username: user } = raw;
  if (typeof state !== "string" || !STATES.has(state) || !isFiniteNumber(time)) return undefined;
  if (!(created === undefined || created === null || isFiniteNumber(created))) return undefined;
  if (!(user === undefined || user === null || typeof user === "string")) return undefined;
  for (const key of NULLABLE_STRINGS) {
    const value = raw[key];
    if (!(value === undefined || value === null || typeof value === "string")) return undefined;
  }
  const labels = type === undefined || type === null ? [] : type;
  const keys = hostKeys === undefined || hostKeys === null ? [] : hostKeys;
  const { connection_port: connectionPort, ssh_port: sshPort, resources, attributes } = raw;
  if (!isStringArray(labels) || !isStringArray(keys) || !isPlainPort(connectionPort) || !isPlainPort(sshPort)) return undefined;
  if (!isPlainObjectOrAbsent(resources) || !isPlainObjectOrAbsent(attributes)) return undefined;
  const text = (key: (typeof NULLABLE_STRINGS)[number]): string | null => (raw[key] ?? null) as string | null;
  return {
    state: state as NodeState,
    state_time: time,
    created_time: created ?? null,
    provider: text("provider"),
    pool: text("pool"),
    type: labels,
    allocated_to: text("allocated_to"),
    cloud: text("cloud"),
    region: text("region"),
    az: text("az"),
    public_ipv4: text("public_ipv4"),
    private_ipv4: text("private_ipv4"),
    public_ipv6: text("public_ipv6"),
    interface_ip: text("interface_ip"),
    host_id: text("host_id"),
    connection_type: text("connection_type"),
    connection_port: connectionPort,
    ssh_port: sshPort,
    host_keys: keys,
    username: user === undefined ? "zuul" : user,
    image_id: text("image_id"),
    launcher: text("launcher"),
    external_id: text("external_id"),
    hostname: text("hostname"),
    comment: text("comment"),
    hold_job: text("hold_job"),
    hold_expiration: holdExpiration(raw.hold_expiration),
    resources: resources ?? null,
    attributes: attributes ?? null,
  };
}

/** The schema's reading of a parsed node record; a mismatch is a MalformedRecordError naming the key. */
export function schemaNodeWire(raw: Record<string, unknown>, path: string): NodeWire {
  return validate(wire, raw, path, "node");
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** A port as a number or null (or absent); the object form is left to the schema. */
function isPlainPort(value: unknown): value is number | null | undefined {
  return value === undefined || value === null || isFiniteNumber(value);
}

/** A JSON object as the schema's record gives it back; it drops a `__proto__` key, so those are left to it. */
function isPlainObjectOrAbsent(value: unknown): value is Record<string, unknown> | null | undefined {
  if (value === undefined || value === null) return true;
  return typeof value === "object" && !Array.isArray(value) && !Object.hasOwn(value, "__proto__");
}

/** Reads node bytes; "empty" for a data-less znode (garbage left by a lock attempt, §3.9). */
export function decodeNode(id: NodeId, data: Buffer, path: string): (NodeRecord & { readonly id: NodeId }) | "empty" {
  const raw = parseJsonObject(data, path);
  if (raw === "empty") return "empty";
  const d = plainNodeWire(raw) ?? schemaNodeWire(raw, path);
  return {
    id,
    state: d.state,
    stateTime: d.state_time,
    createdTime: d.created_time,
    provider: d.provider,
    pool: d.pool,
    type: d.type,
    allocatedTo: d.allocated_to as RequestId | null,
    cloud: d.cloud,
    region: d.region,
    az: d.az,
    publicIpv4: d.public_ipv4,
    privateIpv4: d.private_ipv4,
    publicIpv6: d.public_ipv6,
    interfaceIp: d.interface_ip,
    hostId: d.host_id,
    connectionType: d.connection_type,
    connectionPort: d.connection_port !== undefined ? d.connection_port : d.ssh_port !== undefined ? d.ssh_port : 22,
    hostKeys: d.host_keys,
    username: d.username,
    imageId: d.image_id,
    launcher: d.launcher,
    externalId: d.external_id,
    hostname: d.hostname,
    comment: d.comment,
    holdJob: d.hold_job,
    holdExpiration: d.hold_expiration,
    resources: d.resources,
    attributes: d.attributes,
    extra: extraFields(raw, KNOWN, isReserved),
  };
}

/** The full field set Nodepool writes (every key, null where unknown; `ssh_port` mirrors `connection_port`). */
export function encodeNode(node: NodeRecord): Buffer {
  return encodeJson(node.extra, {
    state: node.state,
    state_time: node.stateTime,
    created_time: node.createdTime,
    cloud: node.cloud,
    provider: node.provider,
    pool: node.pool,
    type: [...node.type],
    allocated_to: node.allocatedTo,
    az: node.az,
    region: node.region,
    public_ipv4: node.publicIpv4,
    private_ipv4: node.privateIpv4,
    public_ipv6: node.publicIpv6,
    host_id: node.hostId,
    interface_ip: node.interfaceIp,
    connection_port: node.connectionPort,
    ssh_port: node.connectionPort,
    image_id: node.imageId,
    launcher: node.launcher,
    external_id: node.externalId,
    hostname: node.hostname,
    comment: node.comment,
    hold_job: node.holdJob,
    host_keys: [...node.hostKeys],
    username: node.username,
    connection_type: node.connectionType,
    hold_expiration: node.holdExpiration,
    resources: node.resources,
    attributes: node.attributes,
  });
}

/** A new node in `state` (default `init`), every other field at its "unknown" value unless given. */
export function newNode(fields: Partial<Omit<NodeRecord, "id">> & { readonly state?: NodeState }, now: number = epochSeconds()): NodeRecord {
  return {
    state: "init",
    stateTime: now,
    createdTime: now,
    provider: null,
    pool: null,
    type: [],
    allocatedTo: null,
    cloud: null,
    region: null,
    az: null,
    publicIpv4: null,
    privateIpv4: null,
    publicIpv6: null,
    interfaceIp: null,
    hostId: null,
    connectionType: null,
    connectionPort: 22,
    hostKeys: [],
    username: null,
    imageId: null,
    launcher: null,
    externalId: null,
    hostname: null,
    comment: null,
    holdJob: null,
    holdExpiration: null,
    resources: null,
    attributes: null,
    extra: {},
    ...fields,
  };
}

/** A copy with a new state and `state_time` = now (Nodepool sets it on every state assignment). */
export function withNodeState(node: NodeRecord, state: NodeState, now: number = epochSeconds()): NodeRecord {
  return { ...node, state, stateTime: now };
}
