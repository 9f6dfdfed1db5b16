/**
 * Reads for the listings that NodepoolZk does not offer in one call: every node together with
 * whether its lock is held, read in bulk so that 10,000 nodes list in well under a second.
 * Internal to engine/status.
 */
import { asNodeId, decodeNode, MalformedRecordError, paths, sortContenders } from "../zk/index.ts";
import type { NodeId, NodepoolZk, NodeRecord } from "../zk/index.ts";

export interface NodeWithLock {
  readonly node: NodeRecord & { readonly id: NodeId };
  readonly locked: boolean;
}

/**
 * Nodes in ascending id order (all, or only `ids`), each with its lock state. The reference
 * probes with a non-blocking acquire and release; reading the lock directory's contenders
 * tells the same without writing to the tree: the lowest contender holds the lock, so any
 * contender means "locked". A node znode without children has no lock directory, so its lock
 * is not read at all.
 */
export async function readNodesWithLocks(zk: NodepoolZk, ids?: readonly NodeId[]): Promise<NodeWithLock[]> {
  const sorted = [...(ids ?? (await zk.getNodeIds()))].sort();
  const reads = await zk.client.getMany(sorted.map((id) => paths.nodePath(id)));
  const withLockDir = sorted.filter((_, i) => (reads[i]?.stat.numChildren ?? 0) > 0);
  // The records are decoded while ZooKeeper answers the lock reads.
  const lockDirs = zk.client.getChildrenMany(withLockDir.map((id) => paths.nodeLockPath(id)));
  const decoded = sorted.map((id, i) => {
    const read = reads[i];
    return read === null || read === undefined ? null : decode(zk, id, read.data);
  });
  const answers = await lockDirs;
  const locked = new Set(withLockDir.filter((_, i) => sortContenders(answers[i] ?? []).length > 0));
  const nodes: NodeWithLock[] = [];
  for (const node of decoded) if (node !== null) nodes.push({ node, locked: locked.has(node.id) });
  return nodes;
}

/** The node, or null for a data-less znode or a malformed record (logged with its path). */
function decode(zk: NodepoolZk, id: NodeId, data: Buffer): (NodeRecord & { readonly id: NodeId }) | null {
  const path = paths.nodePath(id);
  try {
    const node = decodeNode(asNodeId(id), data, path);
    return node === "empty" ? null : node;
  } catch (error) {
    if (!(error instanceof MalformedRecordError)) throw error;
    zk.log.warn({ path, err: error.message }, "skipping malformed record");
    return null;
  }
}
