/**
 * The desired state from a loaded config: providers (as their drivers describe them), pools
 * with their launcher ids and limits, labels with min-ready and max-ready-age, max-hold-age.
 */
import type { NodepoolConfig } from "../../schema/index.ts";
import { describeProvider, type PoolTraits } from "../drivers/index.ts";
import { launcherIdFor } from "../zk/ids.ts";
import { poolKey, type Desired, type PoolDesired, type ProviderDesired } from "./state.ts";

/** Who this launcher process is: launcher ids are `<hostname>-<pid>-PoolWorker.<provider>-<pool>`. */
export interface LauncherIdentity {
  hostname: string;
  pid: number;
}

function poolDesired(provider: string, pool: PoolTraits, identity: LauncherIdentity): PoolDesired {
  return {
    provider,
    name: pool.name,
    key: poolKey(provider, pool.name),
    launcherId: launcherIdFor(identity.hostname, identity.pid, provider, pool.name),
    maxServers: pool.maxServers,
    maxCores: pool.maxCores,
    maxRam: pool.maxRam,
    ignoreProviderQuota: pool.ignoreProviderQuota,
    availabilityZones: pool.availabilityZones,
    labels: pool.labels,
  };
}

export function desiredFromConfig(config: NodepoolConfig, identity: LauncherIdentity): Desired {
  const providers: ProviderDesired[] = config.providers.map((config) => {
    const traits = describeProvider(config);
    return {
      name: traits.name,
      maxConcurrency: traits.maxConcurrency,
      canLaunch: traits.abilities.has("launch"),
      pools: traits.pools.map((pool) => poolDesired(traits.name, pool, identity)),
    };
  });
  return {
    providers,
    labels: new Map(config.labels.map((l) => [l.name, { name: l.name, minReady: l["min-ready"], maxReadyAge: l["max-ready-age"] }])),
    maxHoldAge: config["max-hold-age"],
  };
}

/** Every label offered by any pool of any provider: what each pool worker advertises (§2.20). */
export function supportedLabels(desired: Desired): string[] {
  const labels = new Set<string>();
  for (const provider of desired.providers) for (const pool of provider.pools) for (const label of pool.labels.keys()) labels.add(label);
  return [...labels].sort();
}
