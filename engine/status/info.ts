/**
 * `nodepool info PROVIDER` (behaviour.md §5.3): what ZooKeeper holds for one provider — the
 * builds of each image that have an upload directory for it, and its nodes.
 */
import type { NodepoolZk } from "../zk/index.ts";
import { renderText, type View } from "./view.ts";

export interface ProviderImageBuildsRow {
  readonly image_name: string;
  readonly build_ids: readonly string[];
}

export interface ProviderNodeRow {
  readonly id: string;
  readonly server_id: string | null;
}

export interface ProviderInfo {
  readonly provider: string;
  readonly image_builds: readonly ProviderImageBuildsRow[];
  readonly nodes: readonly ProviderNodeRow[];
}

export const providerImageBuildsView: View<ProviderImageBuildsRow> = {
  name: "info image builds",
  columns: [
    { key: "image_name", header: "Image Name" },
    { key: "build_ids", header: "Build IDs" },
  ],
};

export const providerNodesView: View<ProviderNodeRow> = {
  name: "info nodes",
  columns: [
    { key: "id", header: "ID" },
    { key: "server_id", header: "Server ID" },
  ],
};

export async function loadProviderInfo(zk: NodepoolZk, provider: string): Promise<ProviderInfo> {
  const images = await zk.getImageNames();
  const imageBuilds = await Promise.all(
    images.map(async (image) => {
      const builds = (await zk.getBuildIds(image)).sort();
      const has = await Promise.all(builds.map(async (build) => (await zk.getBuildProviders(image, build)).includes(provider)));
      return { image_name: image, build_ids: builds.filter((_, i) => has[i]) };
    }),
  );
  const nodes = (await zk.getNodes())
    .filter((node) => node.provider === provider)
    .map((node) => ({ id: node.id ?? "", server_id: node.externalId }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { provider, image_builds: imageBuilds, nodes };
}

/** The reference's layout: a title, then the image builds table, then the nodes table. */
export function renderProviderInfo(info: ProviderInfo, now: number): string {
  return [
    `ZooKeeper data for provider ${info.provider}`,
    "",
    "Image builds:",
    renderText(providerImageBuildsView, info.image_builds, { now }),
    "",
    "Nodes:",
    renderText(providerNodesView, info.nodes, { now }),
  ].join("\n");
}
