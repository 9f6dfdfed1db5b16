/**
 * One node launch (behaviour.md §3.2): up to `launch-retries` attempts (values < 1 count as 1,
 * Appendix A 6); after a failed attempt that left a server, a separate `deleting` record takes
 * that server to the deleted-node pass; a quota error aborts; a lost ZooKeeper session is never
 * retried and leaves the record for cleanup; a launch stopped by a graceful shutdown is
 * abandoned, its node left `building` for the next launcher's cleanup (§8.1). The node is held
 * locked throughout.
 */
import { LaunchError, messageOf, type LaunchedNodeFields, type LaunchResultClass, type LaunchSpec, type ServerLauncher } from "../drivers/driver.ts";
import type { Logger } from "../log.ts";
import { LockLostError, SessionExpiredError } from "../zk/errors.ts";
import type { NodeId } from "../zk/ids.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import { newNode, withNodeState, type NodeRecord } from "../zk/records/node.ts";
import type { RateLimiter } from "../reconcile/rate.ts";

/** A checkpoint is stored only if the launch is still running after this long (saves writes on fast boots). */
const CHECKPOINT_DELAY_MS = 1000;

export interface LaunchTask {
  zk: NodepoolZk;
  provider: ServerLauncher;
  node: NodeRecord & { readonly id: NodeId };
  spec: LaunchSpec;
  retries: number;
  rate: RateLimiter;
  signal: AbortSignal;
  log: Logger;
  /** Writes the (locked) node, keeping caches current. */
  store: (node: NodeRecord & { readonly id: NodeId }) => Promise<void>;
}

export interface LaunchOutcome {
  node: NodeRecord & { readonly id: NodeId };
  result: LaunchResultClass;
  /** Why the launch failed, for people (the status page's events); absent when ready. */
  reason?: string;
}

export function applyLaunchFields(node: NodeRecord, fields: Partial<LaunchedNodeFields>): NodeRecord {
  const set = <K extends keyof LaunchedNodeFields>(key: K): LaunchedNodeFields[K] | undefined => fields[key];
  return {
    ...node,
    externalId: set("external_id") ?? node.externalId,
    hostname: set("hostname") ?? node.hostname,
    imageId: set("image_id") ?? node.imageId,
    username: set("username") || node.username,
    connectionType: set("connection_type") ?? node.connectionType,
    connectionPort: set("connection_port") ?? node.connectionPort,
    resources: set("resources") ? { ...set("resources") } : node.resources,
    az: set("az") ?? node.az,
    cloud: set("cloud") ?? node.cloud,
    region: set("region") ?? node.region,
    hostId: set("host_id") ?? node.hostId,
    interfaceIp: set("interface_ip") ?? node.interfaceIp,
    publicIpv4: set("public_ipv4") ?? node.publicIpv4,
    publicIpv6: set("public_ipv6") ?? node.publicIpv6,
    privateIpv4: set("private_ipv4") ?? node.privateIpv4,
    hostKeys: set("host_keys") ?? node.hostKeys,
  };
}

const SESSION_LOST = "ZooKeeper session lost";

const sessionLost = (error: unknown): boolean => error instanceof SessionExpiredError || error instanceof LockLostError;

export async function runLaunch(task: LaunchTask): Promise<LaunchOutcome> {
  const { zk, provider, log, store } = task;
  let node = task.node;
  // The executor aborts launches both at a graceful stop and when a new session replaced the
  // one holding our locks; only the second changes the session id.
  const session = zk.client.sessionId;
  const attempts = Math.max(1, task.retries);
  for (let attempt = 1; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    let checkpointed: Promise<unknown> = Promise.resolve();
    try {
      await task.rate.slot();
      // Stopped while waiting for a slot: no server is created only to be abandoned.
      task.signal.throwIfAborted();
      const fields = await provider.launch(task.spec, async (partial) => {
        node = { ...applyLaunchFields(node, partial), id: node.id };
        timer ??= setTimeout(() => {
          checkpointed = store(node).catch((error: unknown) => log.warn({ err: error, node: node.id }, "storing a launch checkpoint failed"));
        }, CHECKPOINT_DELAY_MS);
      }, task.signal);
      clearTimeout(timer);
      await checkpointed;
      node = { ...withNodeState(applyLaunchFields(node, fields), "ready"), id: node.id };
      await store(node);
      return { node, result: "ready" };
    } catch (error) {
      clearTimeout(timer);
      await checkpointed;
      if (sessionLost(error)) return { node: { ...node, state: "failed" }, result: "error.zksession", reason: SESSION_LOST };
      // The node stays `building`, unlocked, for cleanup.
      if (task.signal.aborted) {
        if (zk.client.sessionId !== session) return { node: { ...node, state: "failed" }, result: "error.zksession", reason: SESSION_LOST };
        // Still locked at a graceful stop: record the server so the next launcher deletes it with
        // the node; should the write fail, leak cleanup finds the server instead.
        if (node.externalId !== null) await store(node).catch(() => undefined);
        return { node, result: "abandoned", reason: "launcher stopping" };
      }
      const launchError = error instanceof LaunchError ? error : null;
      const result = launchError?.result ?? "error.unknown";
      const reason = messageOf(error);
      log.warn({ err: error, node: node.id, request: node.allocatedTo, provider: node.provider, result, attempt, attempts }, "launch attempt failed");
      try {
        const leftover = launchError?.externalId ?? node.externalId;
        if (leftover) {
          await zk.storeNode(
            newNode({ state: "deleting", provider: node.provider, pool: node.pool, type: node.type, externalId: leftover }),
          );
          node = { ...node, externalId: null, publicIpv4: null, publicIpv6: null, interfaceIp: null };
          await store(node);
        }
        if (attempt >= attempts) {
          node = { ...withNodeState(node, "failed"), id: node.id };
          await store(node);
          return { node, result, reason };
        }
        if (result === "error.quota" || /quota exceeded/i.test(launchError?.message ?? "")) {
          node = { ...withNodeState(node, "aborted"), id: node.id };
          await store(node);
          return { node, result: "error.quota", reason };
        }
      } catch (storeError) {
        if (sessionLost(storeError)) return { node: { ...node, state: "failed" }, result: "error.zksession", reason: SESSION_LOST };
        throw storeError;
      }
    }
  }
}
