/**
 * The operator's node commands: `nodepool delete ID [--now]` (behaviour.md §5.3, §2.16) and
 * `nodepool hold ID [--reason]` (an operator hold, §2.15). Both lock the node as Zuul and the
 * launchers do, waiting at most a few seconds, and read it under the lock. A node znode whose
 * record cannot be read (bad JSON, a bad field, no data) is deleted by `delete`, which is how
 * an operator gets rid of one, and refused by `hold`.
 */
import type { ProviderConfig } from "../../schema/index.ts";
import type { Provider, ServerId } from "../drivers/driver.ts";
import { NodepoolError } from "../errors.ts";
import { asNodeId, RecordGoneError, withNodeState } from "../zk/index.ts";
import type { NodeId, NodepoolZk, NodeRecord, NodeState, ZkLock } from "../zk/index.ts";

/** How long the CLI waits for a node lock (the reference's 5 s). */
export const NODE_LOCK_TIMEOUT_MS = 5_000;

/** A node that cannot be held in its current state. */
export class NodeNotHoldableError extends NodepoolError {
  readonly code = "status.node-not-holdable";
  override readonly exitCode = 1;
}

/** A node znode whose record cannot be read cannot be held: there is nothing to write `hold` into. */
export class NodeUnreadableError extends NodepoolError {
  readonly code = "status.node-unreadable";
  override readonly exitCode = 1;
}

/** `delete --now` was asked without the provider configuration it needs. */
export class ProvidersUnknownError extends NodepoolError {
  readonly code = "status.providers-unknown";
  override readonly exitCode = 1;
}

type IdentifiedNode = NodeRecord & { readonly id: NodeId };

export type NodeDeleteOutcome =
  | { readonly kind: "not-found" }
  /** Marked `deleting`; the launchers' deleted-node worker does the rest. */
  | { readonly kind: "marked"; readonly node: IdentifiedNode }
  /** Server and record deleted by this process. */
  | { readonly kind: "deleted"; readonly node: IdentifiedNode }
  | { readonly kind: "provider-not-configured"; readonly node: IdentifiedNode }
  /**
   * The znode held no readable record (`reason` says why): it is removed, with or without
   * `now`, since no launcher can act on it. Its provider and server are unknown, so a server it
   * had is left to the launchers' leaked-instance cleanup.
   */
  | { readonly kind: "unreadable-deleted"; readonly reason: string };

export interface NodeDeleteOptions {
  /** Delete the server and the record now instead of leaving it to the launchers. */
  readonly now?: boolean;
  /** The configured providers (needed with `now`). */
  readonly providers?: readonly ProviderConfig[];
  /** Builds the driver of a provider (needed with `now`). */
  readonly createProvider?: (config: ProviderConfig) => Provider;
  readonly lockTimeoutMs?: number;
}

/**
 * Locks a node's znode (blocking, bounded) and reads it under the lock; null when there is no
 * such node. The lock is released when `work` ends.
 */
async function underNodeLock<T>(zk: NodepoolZk, id: string, timeoutMs: number, work: (found: Found, lock: ZkLock) => Promise<T>): Promise<T | null> {
  const nodeId = asNodeId(id);
  let lock: ZkLock;
  try {
    lock = await zk.lockNodeZnode(nodeId, { blocking: true, timeoutMs });
  } catch (error) {
    if (error instanceof RecordGoneError) return null;
    throw error;
  }
  try {
    const found = await zk.inspectNode(nodeId);
    return found.kind === "missing" ? null : await work(found, lock);
  } finally {
    await lock.release();
  }
}

type Found = Exclude<Awaited<ReturnType<NodepoolZk["inspectNode"]>>, { readonly kind: "missing" }>;

export async function deleteNodeCommand(zk: NodepoolZk, id: string, options: NodeDeleteOptions = {}): Promise<NodeDeleteOutcome> {
  const outcome = await underNodeLock(zk, id, options.lockTimeoutMs ?? NODE_LOCK_TIMEOUT_MS, async (found, lock): Promise<NodeDeleteOutcome> => {
    if (found.kind === "unreadable") {
      await zk.deleteNodeZnode(asNodeId(id));
      return { kind: "unreadable-deleted", reason: found.reason };
    }
    const record = found.record;
    if (!options.now) {
      const node = { ...withNodeState(record, "deleting"), id: record.id };
      await zk.storeNode(node, lock);
      return { kind: "marked", node };
    }
    if (options.providers === undefined || options.createProvider === undefined) {
      throw new ProvidersUnknownError("delete --now needs the configuration's providers: pass -c CONFIG");
    }
    const config = options.providers.find((p) => p.name === record.provider);
    if (config === undefined) return { kind: "provider-not-configured", node: record };
    const node = { ...withNodeState(record, "deleting"), id: record.id };
    await zk.storeNode(node, lock);
    if (node.externalId) await deleteServer(options.createProvider(config), node.externalId as ServerId);
    await zk.deleteNode(node, lock);
    return { kind: "deleted", node };
  });
  return outcome ?? { kind: "not-found" };
}

/** The node deletion of §2.16 step 2, with the provider started only for this call. */
async function deleteServer(provider: Provider, server: ServerId): Promise<void> {
  const signal = new AbortController().signal;
  await provider.start(signal);
  try {
    await provider.servers?.deleteServer(server, signal);
  } finally {
    await provider.stop();
  }
}

/** States a node can be held from: not one being launched or already on its way out. */
const UNHOLDABLE: ReadonlySet<NodeState> = new Set(["init", "building", "deleting", "deleted"]);

/**
 * Sets a node to `hold` (the reason, when given, becomes its `comment`), so it is neither reused
 * nor deleted until an operator deletes it or its hold expires (`max-hold-age`). Null when
 * there is no such node; NodeUnreadableError when its record cannot be read.
 */
export async function holdNode(zk: NodepoolZk, id: string, options: { reason?: string; lockTimeoutMs?: number } = {}): Promise<IdentifiedNode | null> {
  return underNodeLock(zk, id, options.lockTimeoutMs ?? NODE_LOCK_TIMEOUT_MS, async (found, lock) => {
    if (found.kind === "unreadable") {
      throw new NodeUnreadableError(`node ${id} cannot be held: its record cannot be read (${found.reason}); remove it with nodepool delete ${id}`);
    }
    const record = found.record;
    if (UNHOLDABLE.has(record.state)) {
      throw new NodeNotHoldableError(`node ${record.id} is ${record.state} and cannot be held; only ready, in-use, used, failed or aborted nodes can`);
    }
    const held = record.state === "hold" ? record : withNodeState(record, "hold");
    const node = { ...held, comment: options.reason ?? held.comment, id: record.id };
    await zk.storeNode(node, lock);
    return node;
  });
}
