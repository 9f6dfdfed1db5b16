/**
 * Reads for the listings that NodepoolZk does not offer in one call: every node together with
 * whether its lock is held, pipelined so that 10,000 nodes list in well under a second.
 * Internal to engine/status.
 */
import { asNodeId, decodeNode, MalformedRecordError, NoNodeError, paths, sortContenders } from "../zk/index.ts";
import type { NodeId, NodepoolZk, NodeRecord } from "../zk/index.ts";

export interface NodeWithLock {
  readonly node: NodeRecord & { readonly id: NodeId };
  readonly locked: boolean;
}

/**
 * Nodes in ascending id order (all, or only `ids`), each with its lock state. The reference
 * probes with a non-blocking acquire and release; reading the lock directory's contenders
 * tells the same without writing to the tree: the lowest contender holds the lock, so any
 * contender means "locked".
 */
export async function readNodesWithLocks(zk: NodepoolZk, ids?: readonly NodeId[]): Promise<NodeWithLock[]> {
  const all = ids ?? (await zk.getNodeIds());
  const read = await Promise.all([...all].sort().map((id) => readOne(zk, id)));
  return read.filter((entry): entry is NodeWithLock => entry !== null);
}

async function readOne(zk: NodepoolZk, id: NodeId): Promise<NodeWithLock | null> {
  const path = paths.nodePath(id);
  // Both reads go out at once: nearly every node has a lock directory once launched, so waiting
  // for the record's child count first would only add a round trip per node.
  const [data, locked] = await Promise.all([readData(zk, path), isLocked(zk, id)]);
  if (data === null) return null;
  let node: ReturnType<typeof decodeNode>;
  try {
    node = decodeNode(asNodeId(id), data, path);
  } catch (error) {
    if (!(error instanceof MalformedRecordError)) throw error;
    zk.log.warn({ path, err: error.message }, "skipping malformed record");
    return null;
  }
  if (node === "empty") return null;
  return { node, locked };
}

async function readData(zk: NodepoolZk, path: string): Promise<Buffer | null> {
  try {
    return (await zk.client.get(path)).data;
  } catch (error) {
    if (error instanceof NoNodeError) return null;
    throw error;
  }
}

async function isLocked(zk: NodepoolZk, id: NodeId): Promise<boolean> {
  try {
    return sortContenders(await zk.client.getChildren(paths.nodeLockPath(id))).length > 0;
  } catch (error) {
    if (error instanceof NoNodeError) return false;
    throw error;
  }
}
