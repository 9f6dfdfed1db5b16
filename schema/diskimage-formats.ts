/**
 * The effective format set of a diskimage (spec/config.md §2.9.2): its own `formats`, plus the
 * image format of every OpenStack or fake provider that uploads it (from that provider's cloud
 * in clouds.yaml, default qcow2), and qcow2 when the set is still empty.
 */
import type { NodepoolConfig } from "./config.ts";

export const DEFAULT_IMAGE_FORMAT = "qcow2";

/** `imageFormatOf(cloud)` gives a cloud's `image_format` from clouds.yaml, when it sets one. */
export function effectiveFormats(
  config: NodepoolConfig,
  diskimage: string,
  imageFormatOf: (cloud: string) => string | undefined,
): string[] {
  const formats = new Set(config.diskimages.find((d) => d.name === diskimage)?.formats ?? []);
  for (const provider of config.providers) {
    if (provider.driver !== "openstack" && provider.driver !== "fake") continue;
    if (provider.diskimages.some((d) => d.name === diskimage)) formats.add(imageFormatOf(provider.cloud) ?? DEFAULT_IMAGE_FORMAT);
  }
  if (formats.size === 0) formats.add(DEFAULT_IMAGE_FORMAT);
  return [...formats];
}
