/**
 * Inventory registration (static hosts, behaviour.md §3B.3 and §3B.5): the node records each
 * offered host should have, against those that exist. Pure: `nodepool plan` shows exactly the
 * registrations, deregistrations and updates the next pass makes.
 *
 * - A host stands for `slots` (max-parallel-jobs) records, counted in any state, so a record
 *   in use holds its slot until it is deleted; then the slot is registered again (§3B.5), as is
 *   a record deleted behind the launcher's back (§3B.3).
 * - Only free records (ready, unallocated, nobody's lock) are deregistered or updated: a host
 *   removed from the config, or a lowered max-parallel-jobs, takes its in-use records away only
 *   once they come back.
 * - A host that failed its check registers nothing and its free records are deregistered (they
 *   would be refused at hand-out anyway); they come back when the host does.
 */
import type { InventoryHost } from "../drivers/driver.ts";
import type { NodeId } from "../zk/ids.ts";
import type { ConnectionPort, NodeState } from "../zk/records/node.ts";
import type { InventoryAction, InventoryFields } from "../reconcile/actions.ts";
import type { ObservedNode } from "../reconcile/state.ts";

export interface InventoryInput {
  provider: string;
  hosts: readonly InventoryHost[];
  /** Every node record (the provider's are picked by `provider`). */
  nodes: Iterable<ObservedNode>;
  /** Nodes not free to touch: held by this process, locked by another, claimed this pass. */
  unavailable: { has(id: string): boolean };
  /** Registrations being carried out, by host name: they count as records already. */
  registering: ReadonlyMap<string, number>;
  /** Deregistrations being carried out: those records count as leaving already. */
  deregistering: ReadonlySet<string>;
}

const LEAVING: ReadonlySet<NodeState> = new Set(["used", "deleting", "deleted"]);

const isFree = (node: ObservedNode, unavailable: InventoryInput["unavailable"]): boolean => node.state === "ready" && node.allocatedTo === null && !unavailable.has(node.id);

/** Newest first: the records deregistered first when a host has too many. */
const newestFirst = (a: ObservedNode, b: ObservedNode): number => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...b].sort();
  return a.length === b.length && [...a].sort().every((item, i) => item === sorted[i]);
}

/** What of a record differs from its host, in words; empty when it matches. */
function differences(node: ObservedNode, host: InventoryHost): string[] {
  const port: ConnectionPort = node.connectionPort;
  const changed: string[] = [];
  if (!sameList(node.type, host.labels)) changed.push(`labels ${node.type.join(",")} → ${host.labels.join(",")}`);
  if (node.username !== host.username) changed.push(`username ${node.username ?? "none"} → ${host.username}`);
  if (node.connectionType !== host.connectionType) changed.push(`connection-type ${node.connectionType ?? "none"} → ${host.connectionType}`);
  if (port !== host.port) changed.push(`connection-port ${typeof port === "number" ? port : "none"} → ${host.port}`);
  if (host.hostKeys !== null && !sameSet(node.hostKeys, host.hostKeys)) changed.push("host keys");
  return changed;
}

function fieldsOf(host: InventoryHost): InventoryFields {
  return {
    type: host.labels,
    username: host.username,
    connection_type: host.connectionType,
    connection_port: host.port,
    ...(host.hostKeys !== null ? { host_keys: host.hostKeys } : {}),
  };
}

export function planInventory(input: InventoryInput): InventoryAction[] {
  const { provider, unavailable } = input;
  const byHost = new Map<string, ObservedNode[]>();
  for (const node of input.nodes) {
    if (node.provider !== provider) continue;
    const key = `${node.pool ?? ""}\n${node.hostname ?? ""}`;
    const list = byHost.get(key);
    if (list) list.push(node);
    else byHost.set(key, [node]);
  }
  const actions: InventoryAction[] = [];
  const deregistered = new Set<NodeId>();
  const deregister = (nodes: readonly ObservedNode[], count: number, host: string, reason: string): void => {
    for (const node of nodes.filter((n) => isFree(n, unavailable)).sort(newestFirst).slice(0, count)) {
      deregistered.add(node.id);
      actions.push({ kind: "deregister-node", provider, node: node.id, host, reason });
    }
  };
  for (const host of input.hosts) {
    const key = `${host.pool}\n${host.name}`;
    const records = byHost.get(key) ?? [];
    byHost.delete(key);
    if (host.status === "down" || host.status === "refused") {
      deregister(records, records.length, host.name, `host ${host.name} ${host.status === "down" ? "does not answer" : "failed its host key check"}: ${host.reason ?? host.status}`);
      continue;
    }
    const registering = input.registering.get(host.name) ?? 0;
    const count = records.length + registering;
    // Records on their way out (used, deleting) hold their slot until they are gone, but are
    // not counted again when there are too many: one deregistration per excess record.
    const staying = records.filter((n) => !LEAVING.has(n.state) && !input.deregistering.has(n.id)).length + registering;
    if (count < host.slots) {
      const n = host.slots - count;
      const has = `${count} of max-parallel-jobs ${host.slots}`;
      actions.push({
        kind: "register-host",
        provider,
        pool: host.pool,
        host: host.name,
        count: n,
        reason: host.status === "unknown" ? `${has}; registered after a host check` : has,
      });
    } else if (staying > host.slots) {
      deregister(records, staying - host.slots, host.name, `${staying} records, max-parallel-jobs ${host.slots}`);
    }
    for (const node of records) {
      if (deregistered.has(node.id) || !isFree(node, unavailable)) continue;
      const changed = differences(node, host);
      if (changed.length > 0) actions.push({ kind: "update-node", provider, node: node.id, host: host.name, fields: fieldsOf(host), reason: changed.join(", ") });
    }
  }
  // Records of hosts no longer offered (removed, renamed, moved to another pool).
  for (const records of byHost.values()) {
    const host = records[0]!.hostname ?? "(no hostname)";
    deregister(records, records.length, host, `host ${host} is no longer in pool ${records[0]!.pool ?? "(none)"} of provider ${provider}`);
  }
  return actions;
}
