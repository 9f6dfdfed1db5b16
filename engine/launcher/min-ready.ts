/**
 * min-ready (behaviour.md §2.13): keep `min-ready` ready, unallocated nodes of each label by
 * submitting one single-node request per missing node, at most one generation per label per
 * launcher process; and complete this process's min-ready requests once fulfilled or failed.
 *
 * Retry delay: after a min-ready request of a label failed (no room, pool disabled), the label
 * gets its next min-ready request MIN_READY_RETRY_S later, the reference's main-loop cadence,
 * rather than at once in a loop of failing requests; sooner if room appears first (a node
 * record of a pool offering the label removed, or the config changed).
 *
 * Several launchers: each label is topped up by one of them only, the registered launcher with
 * the lowest id among those advertising the label, so they do not each top it up (the
 * reference's Appendix A 21 behaviour); when that launcher goes away its registration goes
 * with it and the next one takes over.
 */
import type { MinReadyDone, MinReadyRequests } from "../reconcile/actions.ts";
import type { Desired, Observed } from "../reconcile/state.ts";
import { imageAvailable } from "./requests.ts";

/** Seconds between a failed min-ready request of a label and its next one (reference: watermark_sleep). */
export const MIN_READY_RETRY_S = 10;

/** Whether some configured pool offering `label` has its image available. */
function labelImageAvailable(desired: Desired, observed: Observed, label: string): boolean {
  for (const provider of desired.providers) {
    for (const pool of provider.pools) {
      const image = pool.labels.get(label);
      if (image && imageAvailable(observed, provider.name, image)) return true;
    }
  }
  return false;
}

/** Whether this process is the one that tops up `label`. */
function responsibleFor(desired: Desired, observed: Observed, label: string): boolean {
  const ours = new Set<string>(desired.providers.flatMap((p) => p.pools.map((pool) => pool.launcherId)));
  let lowest: string | undefined;
  for (const launcher of observed.launchers) {
    if (!launcher.supportedLabels.includes(label)) continue;
    if (lowest === undefined || launcher.id < lowest) lowest = launcher.id;
  }
  return lowest === undefined || ours.has(lowest);
}

/** Whether a pool offering `label` had room freed after `since`. */
function roomFreedSince(desired: Desired, observed: Observed, label: string, since: number): boolean {
  if (!observed.roomFreed) return false;
  for (const provider of desired.providers) {
    for (const pool of provider.pools) {
      if (pool.labels.has(label) && (observed.roomFreed.get(pool.key) ?? -Infinity) > since) return true;
    }
  }
  return false;
}

/**
 * When `label` may have its next min-ready request after a failed one (epoch seconds), or null
 * when it may now or nothing failed.
 */
export function minReadyRetryAt(desired: Desired, observed: Observed, label: string, now: number): number | null {
  const failed = observed.minReadyFailed?.get(label);
  if (failed === undefined) return null;
  const at = failed + (desired.minReadyRetryDelay ?? MIN_READY_RETRY_S);
  return at > now && !roomFreedSince(desired, observed, label, failed) ? at : null;
}

export function planMinReady(desired: Desired, observed: Observed, now: number): Array<MinReadyRequests | MinReadyDone> {
  const actions: Array<MinReadyRequests | MinReadyDone> = [];
  for (const [label, ids] of observed.minReady) {
    for (const id of ids) {
      const request = observed.requests.get(id);
      if (request?.state === "fulfilled" || request?.state === "failed") {
        actions.push({
          kind: "min-ready-done",
          provider: null,
          request: id,
          label,
          nodes: request.state === "fulfilled" ? [...request.nodes] : [],
          failed: request.state === "failed",
          reason: `min-ready request ${request.state}`,
        });
      }
    }
  }
  const ready = new Map<string, number>();
  for (const node of observed.nodes.values()) {
    if (node.state !== "ready" || node.allocatedTo !== null) continue;
    for (const label of node.type) ready.set(label, (ready.get(label) ?? 0) + 1);
  }
  for (const label of desired.labels.values()) {
    if (label.minReady <= 0) continue;
    // A label is outstanding from the moment its requests are being submitted.
    if (observed.minReady.has(label.name)) continue;
    const have = ready.get(label.name) ?? 0;
    const count = label.minReady - have;
    if (count <= 0 || !labelImageAvailable(desired, observed, label.name) || !responsibleFor(desired, observed, label.name)) continue;
    if (minReadyRetryAt(desired, observed, label.name, now) !== null) continue;
    actions.push({
      kind: "min-ready",
      provider: null,
      label: label.name,
      count,
      reason: `min-ready ${label.minReady}, ${have} ready: launch ${count}`,
    });
  }
  return actions;
}
