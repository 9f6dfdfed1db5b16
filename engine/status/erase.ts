/**
 * `nodepool erase PROVIDER` (behaviour.md §5.3): forget everything ZooKeeper holds for a
 * provider — the upload subtree of every build, and every node record, locked or not.
 * Nothing is deleted in the cloud.
 */
import { buildDisplayName, type NodeId, type NodepoolZk } from "../zk/index.ts";

/** Removes `builds/<b>/providers/<provider>` under every build; returns `<image>-<build>` of those touched. */
export async function eraseProviderBuilds(zk: NodepoolZk, provider: string): Promise<string[]> {
  const erased: string[] = [];
  for (const image of await zk.getImageNames()) {
    for (const build of (await zk.getBuildIds(image)).sort()) {
      if (!(await zk.getBuildProviders(image, build)).includes(provider)) continue;
      await zk.deleteBuildProvider(image, build, provider);
      erased.push(buildDisplayName(image, build));
    }
  }
  return erased;
}

/** Deletes every node record of `provider` (state `deleted`, then recursively); returns their ids. */
export async function eraseProviderNodes(zk: NodepoolZk, provider: string): Promise<NodeId[]> {
  const nodes = (await zk.getNodes()).filter((node) => node.provider === provider);
  const erased: NodeId[] = [];
  for (const node of nodes) {
    if (node.id === undefined) continue;
    await zk.deleteNode({ ...node, id: node.id });
    erased.push(node.id);
  }
  return erased.sort();
}
