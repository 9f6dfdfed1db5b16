/** The builder's desired state from the effective config: images to build, providers to upload to. */
import type { NodepoolConfig } from "../../schema/index.ts";
import { DEFAULT_FORMAT, imageProviders, requiredFormats } from "./formats.ts";
import type { BuilderDesired, DesiredImage, DesiredProvider } from "./state.ts";

/** `providerFormats`: each image-managing provider's image format, as its driver reports it. */
export function builderDesired(config: NodepoolConfig, providerFormats: ReadonlyMap<string, string>): BuilderDesired {
  const images = new Map<string, DesiredImage>();
  for (const image of config.diskimages) {
    images.set(image.name, {
      name: image.name,
      pause: image.pause,
      rebuildAge: image["rebuild-age"],
      formats: requiredFormats(image, providerFormats, config),
    });
  }
  const providers = new Map<string, DesiredProvider>();
  for (const provider of imageProviders(config)) {
    providers.set(provider.name, {
      name: provider.name,
      format: providerFormats.get(provider.name) ?? DEFAULT_FORMAT,
      diskimages: provider.images.diskimages.map((d) => ({ name: d.name, pause: d.pause })),
    });
  }
  return { images, providers };
}
