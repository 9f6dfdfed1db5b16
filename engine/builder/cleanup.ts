/**
 * Carrying out the plan's deletions (behaviour.md §4.6): each re-checked against the record
 * and its lock first, because the plan was made from a view that may be a moment old.
 * Uploads go before their build; a build's files are deleted only by the builder that made it.
 */
import { LockBusyError, NoNodeError, RecordGoneError } from "../zk/errors.ts";
import { buildDisplayName, type BuildId } from "../zk/ids.ts";
import { withBuildState, withUploadState, type BuildState } from "../zk/records/image.ts";
import type { ImageId } from "../drivers/index.ts";
import type { BuilderContext } from "./context.ts";
import { deleteLocalBuild } from "./local-files.ts";
import type { BuilderAction } from "./plan.ts";

type Of<K extends BuilderAction["kind"]> = Extract<BuilderAction, { kind: K }>;

/** Takes a lock without blocking; null when someone else holds it or the record is gone. */
async function tryLock<T>(take: () => Promise<T>): Promise<T | null> {
  try {
    return await take();
  } catch (error) {
    if (error instanceof LockBusyError || error instanceof RecordGoneError || error instanceof NoNodeError) return null;
    throw error;
  }
}

/** Marks an upload `deleting` (unless an upload is in progress), deletes its cloud image, then its record. */
export async function deleteUpload(ctx: BuilderContext, action: Of<"delete-upload">): Promise<void> {
  const { image, build, provider, upload } = action;
  let record = await ctx.zk.getUpload(image, build, provider, upload);
  if (record === null) return;
  if (record.state !== "deleting") {
    const lock = await tryLock(() => ctx.zk.lockUpload(image, build, provider));
    if (lock === null && record.state === "uploading") return;
    try {
      record = await ctx.zk.getUpload(image, build, provider, upload);
      if (record === null) return;
      record = await ctx.zk.storeUpload(withUploadState(record, "deleting"));
    } finally {
      await lock?.release();
    }
  }
  if (!(await deleteCloudImage(ctx, action, record.externalId))) return;
  await ctx.zk.deleteUpload(image, build, provider, upload);
  ctx.log.info({ image, build, provider, upload, reason: action.reason }, "deleted image upload");
}

/** Deletes an upload's cloud image by its id (names are not unique); false when it must wait for a later pass. */
async function deleteCloudImage(ctx: BuilderContext, ref: Of<"delete-upload" | "remove-upload-record">, externalId: string | null): Promise<boolean> {
  if (externalId === null) return true;
  const { image, build, provider, upload } = ref;
  const cloud = ctx.providers.get(provider);
  if (cloud === undefined) return false;
  try {
    await cloud.deleteImage(externalId as ImageId, ctx.signal);
    return true;
  } catch (error) {
    ctx.log.warn({ image, build, provider, upload, externalId, err: error }, "deleting the cloud image failed; retrying on a later pass");
    return false;
  }
}

/** Removes an interrupted `uploading` record (its lock free), and the cloud image its upload had begun. */
export async function removeUploadRecord(ctx: BuilderContext, action: Of<"remove-upload-record">): Promise<void> {
  const { image, build, provider, upload } = action;
  const lock = await tryLock(() => ctx.zk.lockUpload(image, build, provider));
  if (lock === null) return;
  try {
    const record = await ctx.zk.getUpload(image, build, provider, upload);
    if (record?.state !== "uploading") return;
    if (!(await deleteCloudImage(ctx, action, record.externalId))) return;
    await ctx.zk.deleteUpload(image, build, provider, upload);
    ctx.log.info({ image, build, provider, upload }, "removed interrupted upload record");
  } finally {
    await lock.release();
  }
}

async function uploadsRemain(ctx: BuilderContext, image: string, build: BuildId): Promise<boolean> {
  for (const provider of await ctx.zk.getBuildProviders(image, build)) {
    if ((await ctx.zk.getUploadIds(image, build, provider)).length > 0) return true;
  }
  return false;
}

/**
 * Marks a build `deleting` (under its build-number lock, if the state is still the planned
 * one and no build is running), then, on its owner, deletes its files and record.
 */
export async function deleteBuild(ctx: BuilderContext, action: Of<"delete-build">, plannedState: BuildState, inFlight: ReadonlySet<string>): Promise<void> {
  const { image, build } = action;
  const display = buildDisplayName(image, build);
  if (inFlight.has(display) || (await uploadsRemain(ctx, image, build))) return;
  let record = await ctx.zk.getBuild(image, build);
  if (record === null || record.state !== plannedState) return;
  if (record.state !== "deleting") {
    const lock = await tryLock(() => ctx.zk.lockBuildNumber(image, build));
    if (lock === null) return;
    try {
      if (record.state === "building") {
        const running = await tryLock(() => ctx.zk.lockImageBuild(image));
        if (running === null) return;
        await running.release();
      }
      record = await ctx.zk.getBuild(image, build);
      if (record === null || record.state !== plannedState) return;
      record = await ctx.zk.storeBuild(withBuildState(record, "deleting"), lock);
    } finally {
      await lock.release();
    }
  }
  if (!action.owned) return;
  const files = await deleteLocalBuild(ctx.imagesDir, display);
  if (!(await ctx.zk.deleteBuild(image, build))) {
    ctx.log.warn({ image, build }, "uploads reappeared under the build; it stays deleting until they are gone");
    return;
  }
  ctx.log.info({ image, build, files: files.length, reason: action.reason }, "deleted build");
}
