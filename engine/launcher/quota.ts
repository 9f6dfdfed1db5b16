/**
 * Quota (behaviour.md §2.12): max-servers, max-cores and max-ram per pool, the cloud's own
 * limits minus unmanaged usage, and nodepool's usage counted from node records in any state
 * plus the launches this process committed to whose records do not exist yet. Pure arithmetic
 * over resources; Infinity is "unlimited".
 *
 * What this counts is this process's view. Two launchers sharing a provider may both find
 * room for the same last node; the cloud then refuses one launch with a quota error, which
 * aborts that node and pauses its request (behaviour.md §2.12 "Note on races", §3.2).
 */
import type { Resources, Server } from "../drivers/driver.ts";
import type { NodeId } from "../zk/ids.ts";
import { labelKey, NO_LIMIT, poolKey, type CommittedLaunch, type ObservedNode, type PoolDesired, type ProviderObserved } from "../reconcile/state.ts";

export const ZERO: Resources = { cores: 0, instances: 0, ram: 0 };
/** Need assumed for a label whose flavor is not known (yet): one instance. */
const ONE_INSTANCE: Resources = { cores: 0, instances: 1, ram: 0 };

export const addResources = (a: Resources, b: Resources): Resources => ({
  cores: a.cores + b.cores,
  instances: a.instances + b.instances,
  ram: a.ram + b.ram,
});

export const subtractResources = (a: Resources, b: Resources): Resources => ({
  cores: a.cores - b.cores,
  instances: a.instances - b.instances,
  ram: a.ram - b.ram,
});

const nonNegative = (r: Resources): boolean => r.cores >= 0 && r.instances >= 0 && r.ram >= 0;

export function poolLimits(pool: PoolDesired): Resources {
  return { cores: pool.maxCores, instances: pool.maxServers, ram: pool.maxRam };
}

/** What one node of `label` in `pool` consumes. */
export function labelNeed(provider: ProviderObserved | undefined, pool: string, label: string): Resources {
  return provider?.labelResources.get(labelKey(pool, label)) ?? ONE_INSTANCE;
}

/** Cloud limits minus what servers not belonging to this provider's node records use. */
export function nodepoolQuota(
  limits: Resources,
  servers: readonly Server[],
  provider: string,
  nodeExists: (id: NodeId) => boolean,
): Resources {
  let unmanaged = ZERO;
  for (const server of servers) {
    const owner = server.metadata.nodepool_provider_name;
    const nodeId = server.metadata.nodepool_node_id;
    if (owner === provider && nodeId !== undefined && nodeExists(nodeId as NodeId)) continue;
    unmanaged = addResources(unmanaged, server.resources);
  }
  return subtractResources(limits, unmanaged);
}

/**
 * Usage by provider and by pool: node records, launches committed to in earlier passes and
 * still being carried out, and the launches decided earlier in this pass, so that no burst of
 * requests is planned against room already promised.
 */
export class Usage {
  private readonly byProvider = new Map<string, Resources>();
  private readonly byPool = new Map<string, Resources>();

  constructor(
    nodes: Iterable<ObservedNode>,
    pools: ReadonlyMap<string, PoolDesired>,
    providers: ReadonlyMap<string, ProviderObserved>,
    committed: Iterable<CommittedLaunch> = [],
  ) {
    // Counted per provider, pool and label first (every pass looks at every node: no string
    // building or allocation per node), then priced once per label.
    const counts = new Map<string, Map<string, Map<string, number>>>();
    for (const node of nodes) {
      const label = node.type[0];
      if (node.provider === null || node.pool === null || label === undefined) continue;
      let byPool = counts.get(node.provider);
      if (!byPool) counts.set(node.provider, (byPool = new Map()));
      let byLabel = byPool.get(node.pool);
      if (!byLabel) byPool.set(node.pool, (byLabel = new Map()));
      byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
    }
    for (const [provider, byPool] of counts) {
      for (const [poolName, byLabel] of byPool) {
        const pool = pools.get(poolKey(provider, poolName));
        for (const [label, count] of byLabel) {
          // Nodes of pools or labels no longer configured are not counted (the reference warns and skips).
          if (!pool || !pool.labels.has(label)) continue;
          const need = labelNeed(providers.get(provider), pool.name, label);
          this.add(pool, { cores: need.cores * count, instances: need.instances * count, ram: need.ram * count });
        }
      }
    }
    for (const launch of committed) {
      const pool = pools.get(launch.pool);
      if (pool) this.add(pool, labelNeed(providers.get(pool.provider), pool.name, launch.label));
    }
  }

  add(pool: PoolDesired, need: Resources): void {
    this.byProvider.set(pool.provider, addResources(this.provider(pool.provider), need));
    this.byPool.set(pool.key, addResources(this.pool(pool.key), need));
  }

  provider(name: string): Resources {
    return this.byProvider.get(name) ?? ZERO;
  }

  pool(key: string): Resources {
    return this.byPool.get(key) ?? ZERO;
  }
}

/** "Fits at all": could the whole request ever be served by this pool, ignoring current usage. */
export function fitsAtAll(pool: PoolDesired, provider: ProviderObserved | undefined, need: Resources): boolean {
  if (!pool.ignoreProviderQuota && !nonNegative(subtractResources(provider?.quota ?? NO_LIMIT, need))) return false;
  return nonNegative(subtractResources(poolLimits(pool), need));
}

/**
 * "Room for one more" node needing `need`, given the usage so far (records, commitments and
 * this pass's decisions of this process; other launchers' launches in flight are not seen).
 */
export function roomForOne(pool: PoolDesired, provider: ProviderObserved | undefined, usage: Usage, need: Resources): boolean {
  if (!pool.ignoreProviderQuota) {
    const left = subtractResources(subtractResources(provider?.quota ?? NO_LIMIT, usage.provider(pool.provider)), need);
    if (!nonNegative(left)) return false;
  }
  return nonNegative(subtractResources(subtractResources(poolLimits(pool), usage.pool(pool.key)), need));
}

/** Human text of the limit that is reached, for plan reasons. */
export function describeRoom(pool: PoolDesired, usage: Usage): string {
  const used = usage.pool(pool.key);
  if (used.instances >= pool.maxServers) return `max-servers ${pool.maxServers}, ${used.instances} in use`;
  if (used.cores >= pool.maxCores) return `max-cores ${pool.maxCores}, ${used.cores} in use`;
  if (used.ram >= pool.maxRam) return `max-ram ${pool.maxRam}, ${used.ram} in use`;
  return "provider quota reached";
}
