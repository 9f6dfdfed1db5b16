/**
 * The effective format set of a diskimage (spec/config.md §2.9.2): its own `formats`, plus the
 * image format of every image-managing provider that lists it, else `qcow2`. Sorted, as the
 * build record stores them and as the DIB `-t` option takes them (behaviour.md Appendix A #10).
 */
import type { DiskImageConfig, NodepoolConfig, ProviderConfig } from "../../schema/index.ts";

export const DEFAULT_FORMAT = "qcow2";

/** The providers the builder uploads to: OpenStack and fake ones (the drivers with `diskimages`). */
export type ImageProviderConfig = Extract<ProviderConfig, { driver: "openstack" | "fake" }>;

export function imageProviders(config: NodepoolConfig): ImageProviderConfig[] {
  return config.providers.filter((p): p is ImageProviderConfig => p.driver === "openstack" || p.driver === "fake");
}

export function requiredFormats(image: DiskImageConfig, providerFormats: ReadonlyMap<string, string>, config: NodepoolConfig): string[] {
  const formats = new Set(image.formats);
  for (const provider of imageProviders(config)) {
    if (!provider.diskimages.some((d) => d.name === image.name)) continue;
    formats.add(providerFormats.get(provider.name) ?? DEFAULT_FORMAT);
  }
  if (formats.size === 0) formats.add(DEFAULT_FORMAT);
  return [...formats].sort();
}
