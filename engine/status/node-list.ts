/**
 * `nodepool list` and `/node-list` (behaviour.md §5.4, §6.3): one row per node, in id order,
 * with whether someone holds its lock.
 */
import { asNodeId, type ConnectionPort, type NodepoolZk } from "../zk/index.ts";
import { readNodesWithLocks, type NodeWithLock } from "./_read.ts";
import { formatAge } from "./table.ts";
import type { View } from "./view.ts";

export interface NodeListRow {
  readonly id: string;
  readonly provider: string | null;
  readonly label: readonly string[];
  readonly server_id: string | null;
  readonly public_ipv4: string | null;
  readonly ipv6: string | null;
  readonly state: string;
  /** Already formatted `DD:HH:MM:SS`, in JSON too. */
  readonly age: string;
  readonly locked: "locked" | "unlocked";
  readonly pool: string | null;
  readonly hostname: string | null;
  readonly private_ipv4: string | null;
  readonly AZ: string | null;
  readonly connection_port: ConnectionPort;
  readonly launcher: string | null;
  readonly allocated_to: string | null;
  readonly hold_job: string | null;
  readonly comment: string | null;
}

export const nodeListView: View<NodeListRow> = {
  name: "node-list",
  columns: [
    { key: "id", header: "ID" },
    { key: "provider", header: "Provider" },
    { key: "label", header: "Label" },
    { key: "server_id", header: "Server ID" },
    { key: "public_ipv4", header: "Public IPv4" },
    { key: "ipv6", header: "IPv6" },
    { key: "state", header: "State" },
    { key: "age", header: "Age" },
    { key: "locked", header: "Locked" },
    { key: "pool", header: "Pool" },
    { key: "hostname", header: "Hostname" },
    { key: "private_ipv4", header: "Private IPv4" },
    { key: "AZ", header: "AZ" },
    { key: "connection_port", header: "Port" },
    { key: "launcher", header: "Launcher" },
    { key: "allocated_to", header: "Allocated To" },
    { key: "hold_job", header: "Hold Job" },
    { key: "comment", header: "Comment" },
  ],
};

/** The columns of plain `nodepool list`; `--detail` shows them all. */
export const NODE_LIST_BASIC_FIELDS: readonly string[] = nodeListView.columns.slice(0, 9).map((c) => c.key);

export function nodeListRow({ node, locked }: NodeWithLock, now: number): NodeListRow {
  return {
    id: node.id,
    provider: node.provider,
    label: [...node.type],
    server_id: node.externalId,
    public_ipv4: node.publicIpv4,
    ipv6: node.publicIpv6,
    state: node.state,
    age: formatAge(node.stateTime, now),
    locked: locked ? "locked" : "unlocked",
    pool: node.pool,
    hostname: node.hostname,
    private_ipv4: node.privateIpv4,
    AZ: node.az,
    connection_port: node.connectionPort,
    launcher: node.launcher,
    allocated_to: node.allocatedTo,
    hold_job: node.holdJob,
    comment: node.comment,
  };
}

/** What a node znode name can be; anything else (a `/`, `..`) names no node. */
const NODE_NAME = /^[A-Za-z0-9_-]+$/;

/** Every node (or only `nodeId`; an unknown id gives no rows). */
export async function loadNodeList(zk: NodepoolZk, options: { now: number; nodeId?: string }): Promise<NodeListRow[]> {
  if (options.nodeId !== undefined && !NODE_NAME.test(options.nodeId)) return [];
  const ids = options.nodeId === undefined ? undefined : [asNodeId(options.nodeId)];
  return (await readNodesWithLocks(zk, ids)).map((entry) => nodeListRow(entry, options.now));
}
