/**
 * One read-only look at everything the next reconcile pass would see, for `nodepool plan`:
 * the ZooKeeper tree (nodes, requests, launcher registrations, images) read once without
 * watches, each provider's own view through its driver (limits, servers, flavors, cloud
 * images), and the locks other processes hold. It writes nothing and takes no lock.
 *
 * It is what a launcher and a builder started now with this config would observe in their
 * first pass: no request handlers of their own yet, this process's pool workers counted as
 * registered (a launcher registers before its first pass), and the periodic duties due.
 * Min-ready requests some launcher submitted and nobody has served yet count as outstanding,
 * so a running launcher's top-up in progress is not planned a second time. Objects someone
 * else holds locked are left out, as the executor would skip them. The engine has no seam for
 * a watch-less, write-less observation, so this adapter mirrors `Launcher.observe()` (with its
 * provider refresh) and `Builder.pass()`'s observation. A running launcher's min-ready retry
 * delay is not observed: it lives in that process's memory (the failed min-ready request is
 * deleted at once), so a fresh launcher, as here, would top the label up at once.
 */
import { randomUUID } from "node:crypto";
import { hostname as osHostname } from "node:os";
import type { NodepoolConfig, ProviderConfig } from "../../schema/index.ts";
import { builderDesired } from "../builder/desired.ts";
import { localBuilds, readBuilderId } from "../builder/local-files.ts";
import { observeImages } from "../builder/observe.ts";
import { planBuilder, type BuilderAction } from "../builder/plan.ts";
import type { BuilderDesired, BuilderObserved } from "../builder/state.ts";
import type { Provider, Resources } from "../drivers/index.ts";
import { NodepoolError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { malformedReason } from "../launcher/malformed-request.ts";
import { nodepoolQuota } from "../launcher/quota.ts";
import { desiredFromConfig, supportedLabels, type LauncherIdentity } from "../reconcile/desired.ts";
import { keyOf, type Action } from "../reconcile/actions.ts";
import { plan } from "../reconcile/plan.ts";
import { ProviderLifecycle } from "../reconcile/providers.ts";
import { labelKey, NO_LIMIT, uploadKey, type Desired, type Observed, type ObservedNode, type ObservedRequest, type ProviderDesired, type ProviderObserved } from "../reconcile/state.ts";
import { NoNodeError } from "../zk/errors.ts";
import { asNodeId, asRequestId, type NodeId, type RequestId } from "../zk/ids.ts";
import { sortContenders } from "../zk/lock.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import * as P from "../zk/paths.ts";
import type { LauncherRecord } from "../zk/records/launcher.ts";
import { MIN_READY_REQUESTOR } from "../zk/records/request.ts";

/** A provider's driver could not be started or asked: the plan would be a guess. */
export class ProviderUnavailableError extends NodepoolError {
  readonly code = "plan.provider-unavailable";
}

export interface Observation {
  /** When it was observed (epoch seconds): the plan's `now`. */
  now: number;
  launcher: { desired: Desired; observed: Observed };
  /** Null when the config has no `images-dir` (no builder runs with it). */
  builder: { desired: BuilderDesired; observed: BuilderObserved } | null;
}

export interface ObserveOnceOptions {
  identity?: LauncherIdentity;
  now?: number;
}

/** A plan is re-made at most this many times while discovering locks held by others. */
const MAX_LOCK_ROUNDS = 5;

export async function observeOnce(zk: NodepoolZk, config: NodepoolConfig, options: ObserveOnceOptions = {}): Promise<Observation> {
  const identity = options.identity ?? { hostname: osHostname(), pid: process.pid };
  const desired = desiredFromConfig(config, identity);
  const now = options.now ?? Date.now() / 1000;
  const providers = await startProviders(config.providers, zk.client.log);
  try {
    const [nodeList, emptyNodes, requestList, requestIds, registered, builder] = await Promise.all([
      zk.getNodes(),
      zk.getEmptyNodeIds(),
      zk.getNodeRequests(),
      zk.getNodeRequestIds(),
      zk.getLaunchers(),
      observeBuilder(zk, config, providers.running()),
    ]);
    const nodes = new Map<NodeId, ObservedNode>();
    for (const node of nodeList) if (node.id !== undefined) nodes.set(node.id, { ...node, id: node.id });
    const requests = new Map<RequestId, ObservedRequest>();
    for (const request of requestList) if (request.id !== undefined) requests.set(request.id, { ...request, id: request.id });
    const providerViews = new Map<string, ProviderObserved>();
    for (const providerDesired of desired.providers) {
      const provider = providers.get(providerDesired.name);
      if (provider) providerViews.set(providerDesired.name, await observeProvider(provider, providerDesired, (id) => nodes.has(id)));
    }
    const observed: Observed = {
      nodes,
      requests,
      launchers: withOwnRegistrations(registered, desired),
      readyUploads: readyUploads(builder?.observed ?? null, await readyUploadsWithoutBuilder(zk, builder)),
      providers: providerViews,
      // Hosts are not checked here: the plan shows registrations as "after a host check".
      inventories: new Map(
        [...providers.running()].flatMap(([name, provider]) => (provider.inventory ? [[name, { hosts: provider.inventory.listHosts(), registering: new Map<string, number>(), deregistering: new Set<string>() }] as const] : [])),
      ),
      handlers: new Map(),
      heldNodes: new Set(),
      busy: new Set(),
      minReady: outstandingMinReady(requests),
      emptyNodes,
      malformedRequests: await malformedRequests(zk, requestIds, requests),
      cleanupDue: true,
    };
    return { now, launcher: { desired, observed: await withLocksHeldByOthers(zk, desired, observed, now) }, builder };
  } finally {
    await providers.stop();
  }
}

/** The launcher's and builder's planned actions for an observation, as their pure plans decide them. */
export function planObservation(observation: Observation): { launcher: Action[]; builder: BuilderAction[] } {
  const { now, launcher: { desired, observed } } = observation;
  return {
    launcher: plan(desired, observed, now),
    builder: observation.builder ? [...planBuilder(observation.builder.desired, observation.builder.observed, now).actions] : [],
  };
}

/** `plan` reads once and is ended by its process: its cloud calls are never aborted. */
const NEVER = new AbortController().signal;

/** Every configured provider started once, or the first that could not be with why. */
async function startProviders(configs: readonly ProviderConfig[], log: Logger): Promise<ProviderLifecycle> {
  const providers = new ProviderLifecycle({ log, retry: false });
  await providers.sync(configs);
  const down = providers.notReady()[0];
  if (down === undefined) return providers;
  await providers.stop();
  throw new ProviderUnavailableError(`provider ${down.provider}: ${down.reason}`);
}

/** A provider's limits, servers, flavors, zones and cloud images, as the launcher's quota cache holds them (behaviour.md §2.12). */
async function observeProvider(provider: Provider, desired: ProviderDesired, nodeExists: (id: NodeId) => boolean): Promise<ProviderObserved> {
  try {
    const labelResources = new Map<string, Resources>();
    const cloudImages = new Set<string>();
    const { servers: launcher, quota } = provider;
    for (const pool of desired.pools) {
      for (const [label, image] of pool.labels) {
        if (launcher) labelResources.set(labelKey(pool.name, label), await launcher.labelResources(pool.name, label, NEVER));
        if (image.kind === "cloud-image" && launcher && (await launcher.cloudImageAvailable(image.cloudImage, NEVER))) cloudImages.add(image.cloudImage);
      }
    }
    const [limits, servers, availabilityZones] = await Promise.all([
      quota ? quota.limits(NEVER) : NO_LIMIT,
      launcher ? launcher.listServers(NEVER) : [],
      launcher ? launcher.availabilityZones(NEVER) : [],
    ]);
    return { quota: nodepoolQuota(limits, servers, desired.name, nodeExists), labelResources, cloudImages, availabilityZones, servers };
  } catch (error) {
    throw new ProviderUnavailableError(`provider ${desired.name} did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Min-ready requests still waiting to be served, by label. */
function outstandingMinReady(requests: ReadonlyMap<RequestId, ObservedRequest>): Map<string, RequestId[]> {
  const outstanding = new Map<string, RequestId[]>();
  for (const request of requests.values()) {
    const label = request.nodeTypes[0];
    if (request.requestor !== MIN_READY_REQUESTOR || label === undefined || (request.state !== "requested" && request.state !== "pending")) continue;
    outstanding.set(label, [...(outstanding.get(label) ?? []), request.id]);
  }
  return outstanding;
}

/**
 * Requests listed but not read as records: malformed (as the launcher's request cache reports
 * them), with why; one read each, and there are seldom any.
 */
async function malformedRequests(zk: NodepoolZk, ids: readonly RequestId[], read: ReadonlyMap<RequestId, ObservedRequest>): Promise<Map<RequestId, string>> {
  const malformed = new Map<RequestId, string>();
  for (const id of ids) {
    if (read.has(id)) continue;
    const path = P.requestPath(id);
    try {
      const reason = malformedReason(id, (await zk.client.get(path)).data, path);
      if (reason !== null) malformed.set(id, reason);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }
  return malformed;
}

/** This process's pool workers, as registered before a first pass (behaviour.md §2.20). */
function withOwnRegistrations(registered: readonly LauncherRecord[], desired: Desired): LauncherRecord[] {
  const labels = supportedLabels(desired);
  const known = new Set(registered.map((l) => l.id));
  const own = desired.providers.flatMap((provider) =>
    provider.pools.filter((pool) => !known.has(pool.launcherId)).map((pool) => ({ id: pool.launcherId, providerName: provider.name, supportedLabels: labels, extra: {} })),
  );
  return [...registered, ...own];
}

async function observeBuilder(zk: NodepoolZk, config: NodepoolConfig, providers: ReadonlyMap<string, Provider>): Promise<Observation["builder"]> {
  const imagesDir = config["images-dir"];
  if (imagesDir === undefined) return null;
  const formats = new Map([...providers].flatMap(([name, p]) => (p.images ? [[name, p.images.format] as const] : [])));
  const observed = await observeImages(zk, {
    // A builder starting here with no identity yet would create one: it owns no build so far.
    builderId: (await readBuilderId(imagesDir)) ?? randomUUID(),
    hostname: osHostname(),
    localBuilds: await localBuilds(imagesDir),
    retryAfter: new Map(),
  });
  return { desired: builderDesired(config, formats), observed };
}

/** Without a builder config the image tree is still read: launchers boot from its ready uploads. */
async function readyUploadsWithoutBuilder(zk: NodepoolZk, builder: Observation["builder"]): Promise<BuilderObserved | null> {
  if (builder) return null;
  return observeImages(zk, { builderId: "", hostname: "", localBuilds: new Set(), retryAfter: new Map() });
}

function readyUploads(...views: Array<BuilderObserved | null>): Set<string> {
  const keys = new Set<string>();
  for (const view of views) {
    for (const image of view?.images.values() ?? []) {
      for (const build of image.builds) for (const upload of build.uploads) if (upload.state === "ready") keys.add(uploadKey(image.name, upload.provider));
    }
  }
  return keys;
}

/** Whether a lock has contenders (spec/zookeeper.md §3.8), read without contending. */
async function lockHeld(zk: NodepoolZk, path: string): Promise<boolean> {
  try {
    return sortContenders(await zk.client.getChildren(path)).length > 0;
  } catch (error) {
    if (error instanceof NoNodeError) return false;
    throw error;
  }
}

/**
 * The executor skips an object whose lock someone else holds (a busy lock means "not now"):
 * plan, probe the locks of what the actions touch, mark the held ones busy, and plan again
 * until no new held lock turns up.
 */
async function withLocksHeldByOthers(zk: NodepoolZk, desired: Desired, observed: Observed, now: number): Promise<Observed> {
  const busy = new Set<string>();
  const probed = new Set<string>();
  let current = observed;
  for (let round = 0; round < MAX_LOCK_ROUNDS; round++) {
    const keys = plan(desired, current, now).map(keyOf).filter((key) => !probed.has(key));
    let found = false;
    for (const key of keys) {
      probed.add(key);
      const path = current.nodes.has(asNodeId(key)) ? P.nodeLockPath(asNodeId(key)) : current.requests.has(asRequestId(key)) ? P.requestLockPath(asRequestId(key)) : null;
      if (path !== null && (await lockHeld(zk, path))) {
        busy.add(key);
        found = true;
      }
    }
    if (!found) break;
    current = { ...current, busy: new Set(busy) };
  }
  return current;
}
