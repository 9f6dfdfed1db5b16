/**
 * Reads for the listings that NodepoolZk does not offer in one call: every node together with
 * whether its lock is held, read in bulk (two reads per node, sent at once).
 * Internal to engine/status.
 */
import { asNodeId, decodeNode, MalformedRecordError, paths, sortContenders } from "../zk/index.ts";
import type { NodeId, NodepoolZk, NodeRecord, ZkClient } from "../zk/index.ts";

export interface NodeWithLock {
  readonly node: NodeRecord & { readonly id: NodeId };
  readonly locked: boolean;
}

/**
 * Nodes in ascending id order (all, or only `ids`), each with its lock state. The reference
 * probes with a non-blocking acquire and release; reading the lock directory's contenders
 * tells the same without writing to the tree: the lowest contender holds the lock, so any
 * contender means "locked", and a node without a lock directory is unlocked. Records and lock
 * directories are read at once, spread over `zk.readers`.
 */
export async function readNodesWithLocks(zk: NodepoolZk, ids?: readonly NodeId[]): Promise<NodeWithLock[]> {
  const sorted = [...(ids ?? (await zk.getNodeIds()))].sort();
  const lockDirs = readAcross(zk.readers, sorted.map((id) => paths.nodeLockPath(id)), (client, share) => client.getChildrenMany(share));
  const reads = await readAcross(zk.readers, sorted.map((id) => paths.nodePath(id)), (client, share) => client.getMany(share));
  // The records are decoded while ZooKeeper answers the lock reads.
  const decoded = sorted.map((id, i) => {
    const read = reads[i];
    return read === null || read === undefined ? null : decode(zk, id, read.data);
  });
  const answers = await lockDirs;
  const nodes: NodeWithLock[] = [];
  decoded.forEach((node, i) => {
    if (node !== null) nodes.push({ node, locked: sortContenders(answers[i] ?? []).length > 0 });
  });
  return nodes;
}

/** One contiguous share of `paths` per session, all read at once; the answers in path order. */
async function readAcross<T>(sessions: readonly ZkClient[], paths: readonly string[], read: (client: ZkClient, share: readonly string[]) => Promise<T[]>): Promise<T[]> {
  const size = Math.ceil(paths.length / sessions.length);
  const shares = await Promise.all(sessions.map((client, i) => read(client, paths.slice(i * size, (i + 1) * size))));
  return shares.flat();
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
