/**
 * The desired state from a loaded config: providers, pools with their launcher ids and
 * limits, labels with min-ready and max-ready-age, max-hold-age. Unset limits are Infinity.
 */
import type { NodepoolConfig, PoolConfig, ProviderConfig } from "../../schema/index.ts";
import { launcherIdFor } from "../zk/ids.ts";
import { poolKey, type Desired, type LabelImage, type PoolDesired, type ProviderDesired } from "./state.ts";

/** Who this launcher process is: launcher ids are `<hostname>-<pid>-PoolWorker.<provider>-<pool>`. */
export interface LauncherIdentity {
  hostname: string;
  pid: number;
}

const limit = (value: number | undefined): number => (value === undefined ? Infinity : value);

function poolLabels(pool: PoolConfig): Map<string, LabelImage> {
  const labels = new Map<string, LabelImage>();
  if ("nodes" in pool) {
    for (const node of pool.nodes) for (const label of node.labels) labels.set(label, { kind: "none" });
    return labels;
  }
  if (!("labels" in pool)) return labels;
  for (const label of pool.labels) {
    if (typeof label === "string") labels.set(label, { kind: "none" });
    else if ("diskimage" in label && typeof label.diskimage === "string") labels.set(label.name, { kind: "diskimage", diskimage: label.diskimage });
    else if ("cloud-image" in label && typeof label["cloud-image"] === "string") labels.set(label.name, { kind: "cloud-image", cloudImage: label["cloud-image"] });
    else labels.set(label.name, { kind: "none" });
  }
  return labels;
}

function numberKey(pool: PoolConfig, key: "max-cores" | "max-ram" | "max-servers"): number | undefined {
  const value = (pool as Partial<Record<typeof key, unknown>>)[key];
  return typeof value === "number" ? value : undefined;
}

function poolDesired(provider: ProviderConfig, pool: PoolConfig, identity: LauncherIdentity): PoolDesired {
  const azs = "availability-zones" in pool ? pool["availability-zones"] : undefined;
  return {
    provider: provider.name,
    name: pool.name,
    key: poolKey(provider.name, pool.name),
    launcherId: launcherIdFor(identity.hostname, identity.pid, provider.name, pool.name),
    maxServers: limit(numberKey(pool, "max-servers")),
    maxCores: limit(numberKey(pool, "max-cores")),
    maxRam: limit(numberKey(pool, "max-ram")),
    ignoreProviderQuota: "ignore-provider-quota" in pool ? pool["ignore-provider-quota"] : false,
    availabilityZones: azs ?? null,
    labels: poolLabels(pool),
  };
}

export function desiredFromConfig(config: NodepoolConfig, identity: LauncherIdentity): Desired {
  const providers: ProviderDesired[] = config.providers.map((provider) => ({
    name: provider.name,
    maxConcurrency: provider["max-concurrency"],
    canLaunch: provider.driver !== "static",
    pools: provider.pools.map((pool: PoolConfig) => poolDesired(provider, pool, identity)),
  }));
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
