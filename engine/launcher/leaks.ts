/**
 * Leaked-instance cleanup (behaviour.md §2.18): a server whose metadata names this provider
 * (`nodepool_provider_name`) and a node (`nodepool_node_id`) with no node record is leaked.
 * Servers of other providers and servers without a node id (Appendix A 5) are skipped.
 */
import type { Server } from "../drivers/driver.ts";
import type { LeakedServer } from "../reconcile/actions.ts";
import type { NodeId } from "../zk/ids.ts";
import type { ObservedNode } from "../reconcile/state.ts";

export function planLeaks(provider: string, servers: readonly Server[], nodes: ReadonlyMap<NodeId, ObservedNode>): LeakedServer[] {
  const deleting = new Set<string>();
  for (const node of nodes.values()) {
    if (node.provider === provider && node.state === "deleting" && node.externalId !== null) deleting.add(node.externalId);
  }
  const leaks: LeakedServer[] = [];
  for (const server of servers) {
    if (server.metadata.nodepool_provider_name !== provider) continue;
    const nodeId = server.metadata.nodepool_node_id;
    if (nodeId === undefined || deleting.has(server.id)) continue;
    if (nodes.has(nodeId as NodeId)) continue;
    leaks.push({
      kind: "leaked-server",
      provider,
      server: server.id,
      node: nodeId as NodeId,
      reason: `server ${server.name} has no node record ${nodeId}`,
    });
  }
  return leaks;
}
