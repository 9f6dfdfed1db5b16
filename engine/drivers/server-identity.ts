/**
 * What a cloud server is named and tagged with (behaviour.md §3.1 step 3): the name from
 * `hostname-format`, and the metadata leak cleanup and operators read back — the label's
 * `instance-properties` first, then `groups` and the `nodepool_*` keys, which win.
 */
import type { OpenstackPoolLabelConfig } from "../../schema/index.ts";
import { formatHostname } from "./hostname.ts";

export interface ServerIdentityInput {
  provider: { name: string; "hostname-format": string; "region-name"?: string | undefined };
  pool: string;
  label: OpenstackPoolLabelConfig;
  nodeId: string;
  imageName: string;
}

export function serverIdentity({ provider, pool, label, nodeId, imageName }: ServerIdentityInput): { hostname: string; metadata: Record<string, string> } {
  const hostname = formatHostname(provider["hostname-format"], {
    label: { name: label.name, min_ram: String(label["min-ram"]), flavor_name: label["flavor-name"] ?? "" },
    provider: { name: provider.name, region_name: provider["region-name"] ?? "" },
    node: { id: nodeId },
  });
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(label["instance-properties"] ?? {})) metadata[k] = String(v);
  Object.assign(metadata, {
    groups: [provider.name, imageName, label.name].join(","),
    nodepool_provider_name: provider.name,
    nodepool_node_id: nodeId,
    nodepool_image_name: imageName,
    nodepool_node_label: label.name,
    nodepool_pool_name: pool,
  });
  return { hostname, metadata };
}
