/**
 * Provider traits from config (see ProviderTraits): what each driver's providers can do and the
 * settings the engine plans with, read once here so the engine never probes config shapes.
 * `cloudTraits` serves the OpenStack-shaped configs (openstack, fake), `staticTraits` the
 * static driver's hosts, `poolTraits` the pools of any driver.
 */
import type { FakeProviderConfig, OpenstackProviderConfig, PoolConfig, ProviderConfig, StaticProviderConfig } from "../../schema/index.ts";
import type { Ability, LabelImage, PoolTraits, ProviderTraits } from "./driver.ts";

const limit = (value: number | undefined): number => (value === undefined ? Infinity : value);

function numberKey(pool: PoolConfig, key: "max-cores" | "max-ram" | "max-servers"): number | undefined {
  const value = (pool as Partial<Record<typeof key, unknown>>)[key];
  return typeof value === "number" ? value : undefined;
}

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

/** A pool of any driver: its limits (Infinity when unset), zones, node attributes and labels. */
export function poolTraits(pool: PoolConfig): PoolTraits {
  return {
    name: pool.name,
    maxServers: limit(numberKey(pool, "max-servers")),
    maxCores: limit(numberKey(pool, "max-cores")),
    maxRam: limit(numberKey(pool, "max-ram")),
    ignoreProviderQuota: "ignore-provider-quota" in pool ? pool["ignore-provider-quota"] : false,
    availabilityZones: ("availability-zones" in pool ? pool["availability-zones"] : undefined) ?? null,
    nodeAttributes: ("node-attributes" in pool ? pool["node-attributes"] : undefined) ?? null,
    labels: poolLabels(pool),
  };
}

/** A provider whose driver this build does not implement: its pools, and no ability. */
export function genericTraits(config: ProviderConfig): ProviderTraits {
  return {
    name: config.name,
    abilities: new Set(),
    maxConcurrency: config["max-concurrency"],
    rate: 0,
    launchRetries: 3,
    pools: config.pools.map(poolTraits),
    images: null,
  };
}

const CLOUD: ReadonlySet<Ability> = new Set(["launch", "images", "quota", "leaks"]);

/** OpenStack-shaped providers: servers, the builder's images, quota and leak cleanup. */
export function cloudTraits(config: OpenstackProviderConfig | FakeProviderConfig): ProviderTraits {
  return {
    ...genericTraits(config),
    abilities: CLOUD,
    rate: config.rate,
    launchRetries: config["launch-retries"],
    images: {
      nameFormat: config["image-name-format"],
      diskimages: config.diskimages.map((d) => ({ name: d.name, pause: d.pause, meta: d.meta as Record<string, string> })),
    },
  };
}

const INVENTORY: ReadonlySet<Ability> = new Set(["inventory"]);

/** Static hosts: an inventory, nothing launched, no images (behaviour.md §3B.1). */
export function staticTraits(config: StaticProviderConfig): ProviderTraits {
  return { ...genericTraits(config), abilities: INVENTORY };
}
