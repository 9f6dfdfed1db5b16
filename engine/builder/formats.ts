/**
 * The effective format set of a diskimage (spec/config.md §2.9.2): its own `formats`, plus the
 * image format of every image-managing provider that lists it, else `qcow2`. Sorted, as the
 * build record stores them and as the DIB `-t` option takes them (behaviour.md Appendix A #10).
 */
import type { DiskImageConfig, NodepoolConfig, ProviderConfig } from "../../schema/index.ts";
import { describeProvider, type ProviderTraits } from "../drivers/index.ts";

export const DEFAULT_FORMAT = "qcow2";

/** A provider whose driver takes the builder's images: its traits, with what it takes. */
export interface ImageProvider extends ProviderTraits {
  images: NonNullable<ProviderTraits["images"]>;
  config: ProviderConfig;
}

/** The providers the builder uploads to: those whose driver declares the `images` ability. */
export function imageProviders(config: NodepoolConfig): ImageProvider[] {
  return config.providers.flatMap((provider) => {
    const traits = describeProvider(provider);
    return traits.abilities.has("images") && traits.images !== null ? [{ ...traits, images: traits.images, config: provider }] : [];
  });
}

export function requiredFormats(image: DiskImageConfig, providerFormats: ReadonlyMap<string, string>, config: NodepoolConfig): string[] {
  const formats = new Set(image.formats);
  for (const provider of imageProviders(config)) {
    if (!provider.images.diskimages.some((d) => d.name === image.name)) continue;
    formats.add(providerFormats.get(provider.name) ?? DEFAULT_FORMAT);
  }
  if (formats.size === 0) formats.add(DEFAULT_FORMAT);
  return [...formats].sort();
}
