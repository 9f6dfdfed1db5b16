/**
 * Uploading one build to one provider (behaviour.md §4.4): the upload lock and its re-checks,
 * the `uploading` record, the cloud image named by `image-name-format` with the build and
 * upload ids as properties (its cloud id recorded as soon as the cloud has one), then the `ready`
 * record, or a fresh `failed` one keeping that id for cleanup (retried on a later pass), and the
 * `image_update` metric.
 */
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { epochSeconds } from "../zk/records/_codec.ts";
import { LockBusyError, RecordGoneError } from "../zk/errors.ts";
import { buildDisplayName, type BuildId, type UploadId } from "../zk/ids.ts";
import { newUpload, withUploadState } from "../zk/records/image.ts";
import type { BuilderContext } from "./context.ts";
import { imageProviders } from "./formats.ts";
import { uploadMetrics } from "./stats.ts";

export type UploadResult = { kind: "skipped"; reason: string } | { kind: "ready" | "failed"; upload: UploadId };

export interface UploadRequest {
  image: string;
  build: BuildId;
  provider: string;
  format: string;
}

/** `image-name-format`: `{image_name}` and `{timestamp}` (integer epoch at upload start). */
export function cloudImageName(format: string, image: string, timestamp: number): string {
  return format.replaceAll("{image_name}", image).replaceAll("{timestamp}", String(Math.floor(timestamp)));
}

async function checksum(path: string, length: number): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).slice(0, length);
  } catch {
    return undefined;
  }
}

export async function runUpload(ctx: BuilderContext, request: UploadRequest): Promise<UploadResult> {
  const { image, build, provider: providerName, format } = request;
  const provider = ctx.providers.get(providerName);
  const target = imageProviders(ctx.config).find((p) => p.name === providerName)?.images;
  const entry = target?.diskimages.find((d) => d.name === image);
  if (provider === undefined || target === undefined || entry === undefined) return { kind: "skipped", reason: "provider no longer uploads this image" };

  let lock;
  try {
    lock = await ctx.zk.lockUpload(image, build, providerName);
  } catch (error) {
    if (error instanceof LockBusyError || error instanceof RecordGoneError) return { kind: "skipped", reason: "upload in progress or build gone" };
    throw error;
  }
  try {
    const buildRecord = await ctx.zk.getBuild(image, build);
    if (buildRecord === null || buildRecord.state === "deleting") return { kind: "skipped", reason: "build is being deleted" };
    if ((await ctx.zk.getUploads(image, build, providerName, ["ready"])).length > 0) return { kind: "skipped", reason: "already uploaded" };

    const started = epochSeconds();
    const record = await ctx.zk.storeUpload(newUpload(image, build, providerName, { username: buildRecord.username }), lock);
    const id = record.id as UploadId;
    const filename = join(ctx.imagesDir, `${buildDisplayName(image, build)}.${format}`);
    const name = cloudImageName(target.nameFormat, image, started);
    let cloudId: string | null = null;
    ctx.log.info({ image, build, provider: providerName, upload: id, name }, "uploading image");
    try {
      await access(filename);
      const md5 = await checksum(`${filename}.md5`, 32);
      const sha256 = await checksum(`${filename}.sha256`, 64);
      const meta = { ...entry.meta, nodepool_build_id: build, nodepool_upload_id: id };
      const spec = { name, filename, format, meta, ...(md5 === undefined ? {} : { md5 }), ...(sha256 === undefined ? {} : { sha256 }) };
      const { externalId } = await provider.uploadImage(
        spec,
        async (imageId) => {
          // The id before the upload can be lost: cleanup deletes an interrupted or failed upload by it.
          cloudId = imageId;
          await ctx.zk.storeUpload({ ...record, externalId: imageId, externalName: name, format }, lock);
        },
        ctx.signal,
      );
      const durationMs = (epochSeconds() - started) * 1000;
      await ctx.zk.storeUpload({ ...withUploadState(record, "ready"), externalId, externalName: name, format, username: buildRecord.username }, lock);
      ctx.stats.send(uploadMetrics(image, providerName, durationMs));
      ctx.events?.emit("upload", { image, build, provider: providerName, result: "ready", durationMs });
      ctx.log.info({ image, build, provider: providerName, upload: id, externalId, durationMs: Math.round(durationMs) }, "image upload ready");
      return { kind: "ready", upload: id };
    } catch (error) {
      ctx.log.warn({ image, build, provider: providerName, upload: id, err: error }, "image upload failed; retrying on a later pass");
      ctx.events?.emit("upload", { image, build, provider: providerName, result: "failed", durationMs: (epochSeconds() - started) * 1000 });
      await ctx.zk.storeUpload({ ...newUpload(image, build, providerName, { state: "failed" }), id, externalId: cloudId, externalName: cloudId === null ? null : name }, lock);
      return { kind: "failed", upload: id };
    }
  } finally {
    await lock.release();
  }
}
