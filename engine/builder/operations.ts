/**
 * The operator's image commands (behaviour.md §5.3, spec/zookeeper.md §6.4), as engine
 * functions the CLI and the web API call: `image-build`, `dib-image-delete`, `image-delete`
 * and `alien-image-list`. They only write what the reference writes; the builder does the rest.
 */
import type { CloudImage, Provider } from "../drivers/index.ts";
import { NodepoolError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { asBuildId, asUploadId, parseBuildDisplayName } from "../zk/ids.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import { withBuildState, withUploadState } from "../zk/records/image.ts";
import type { NodepoolConfig, ProviderConfig } from "../../schema/index.ts";
import { imageProviders } from "./formats.ts";

export class NotADiskImageError extends NodepoolError {
  readonly code = "image-build.not-a-diskimage";
  override readonly exitCode = 1;
}

export class ImagePausedError extends NodepoolError {
  readonly code = "image-build.paused";
  override readonly exitCode = 1;
}

/** `nodepool image-build IMAGE`: leaves the `request-build` marker for a builder. */
export async function requestImageBuild(zk: NodepoolZk, config: NodepoolConfig, image: string): Promise<void> {
  const diskimage = config.diskimages.find((d) => d.name === image);
  if (diskimage === undefined) {
    throw new NotADiskImageError(`trying to build a non disk-image-builder image: ${image} is not among the config's diskimages`);
  }
  if (diskimage.pause) throw new ImagePausedError(`skipping build request for image ${image}; paused (set pause: false to build it)`);
  await zk.submitBuildRequest(image);
}

export type DibImageDeleteOutcome = "marked" | "not-found" | "in-progress";

/** `nodepool dib-image-delete <image>-<build id>`: marks the build deleting; cleanup removes uploads, files, record. */
export async function deleteDibImage(zk: NodepoolZk, displayName: string): Promise<DibImageDeleteOutcome> {
  const parsed = parseBuildDisplayName(displayName);
  if (parsed === null) return "not-found";
  const build = await zk.getBuild(parsed.image, parsed.build);
  if (build === null) return "not-found";
  if (build.state === "building") return "in-progress";
  await zk.storeBuild(withBuildState(build, "deleting"));
  return "marked";
}

export interface UploadRef {
  image: string;
  build: string;
  provider: string;
  upload: string;
}

export type ImageDeleteOutcome = "marked" | "not-found" | "in-progress";

/** `nodepool image-delete`: marks one upload deleting (the builder's cleanup deletes it from the cloud). */
export async function deleteImageUpload(zk: NodepoolZk, ref: UploadRef): Promise<ImageDeleteOutcome> {
  const upload = await zk.getUpload(ref.image, asBuildId(ref.build), ref.provider, asUploadId(ref.upload));
  if (upload === null) return "not-found";
  if (upload.state === "uploading") return "in-progress";
  await zk.storeUpload(withUploadState(upload, "deleting"));
  return "marked";
}

export interface AlienImage {
  provider: string;
  name: string;
  id: string;
}

/**
 * `nodepool alien-image-list [PROVIDER]`: cloud images carrying `nodepool_build_id` that no
 * `ready` upload in ZooKeeper knows. Providers that do not manage images are skipped; a
 * provider whose image listing fails is logged and counts as having none.
 */
export async function listAlienImages(
  zk: NodepoolZk,
  config: NodepoolConfig,
  options: { provider?: string; createProvider: (config: ProviderConfig) => Provider; log: Logger },
): Promise<AlienImage[]> {
  const aliens: AlienImage[] = [];
  const signal = new AbortController().signal;
  for (const target of imageProviders(config)) {
    if (options.provider !== undefined && target.name !== options.provider) continue;
    const known = new Set<string>();
    for (const { name: image } of target.images.diskimages) {
      for (const build of await zk.getBuildIds(image)) {
        for (const upload of await zk.getUploads(image, build, target.name, ["ready"])) if (upload.externalId) known.add(upload.externalId);
      }
    }
    let images: CloudImage[];
    const provider = options.createProvider(target.config);
    try {
      await provider.start(signal);
      images = (await provider.images?.listImages(signal)) ?? [];
    } catch (error) {
      options.log.warn({ provider: target.name, err: error }, "listing cloud images failed; treating it as no images");
      images = [];
    } finally {
      await provider.stop();
    }
    for (const image of images) {
      if ("nodepool_build_id" in image.properties && !known.has(image.id)) aliens.push({ provider: target.name, name: image.name, id: image.id });
    }
  }
  return aliens;
}
