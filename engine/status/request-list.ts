/**
 * `nodepool request-list` and `/request-list` (behaviour.md §5.3, §6.3): one row per node
 * request, in the order launchers serve them (priority, relative priority, sequence).
 */
import type { NodeRequestRecord, NodepoolZk } from "../zk/index.ts";
import type { View } from "./view.ts";

export interface RequestListRow {
  readonly id: string;
  readonly relative_priority: number;
  readonly state: string;
  readonly requestor: string | null;
  readonly node_types: readonly string[];
  readonly nodes: readonly string[];
  readonly declined_by: readonly string[];
}

export const requestListView: View<RequestListRow> = {
  name: "request-list",
  columns: [
    { key: "id", header: "Request ID" },
    { key: "relative_priority", header: "Priority" },
    { key: "state", header: "State" },
    { key: "requestor", header: "Requestor" },
    { key: "node_types", header: "Node Types" },
    { key: "nodes", header: "Nodes" },
    { key: "declined_by", header: "Declined By" },
  ],
};

export function requestListRow(request: NodeRequestRecord): RequestListRow {
  return {
    id: request.id ?? "",
    relative_priority: request.relativePriority,
    state: request.state,
    requestor: request.requestor,
    node_types: [...request.nodeTypes],
    nodes: [...request.nodes],
    declined_by: [...request.declinedBy],
  };
}

export async function loadRequestList(zk: NodepoolZk): Promise<RequestListRow[]> {
  return (await zk.getNodeRequests()).map(requestListRow);
}
