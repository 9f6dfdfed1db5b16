/**
 * Running one build (behaviour.md §4.2 re-checks under the lock, §4.3): the image build lock,
 * the `building` record, the image command with its log and `build-timeout`, the final record,
 * the metrics, and the local files removed again if the final record cannot be stored.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import type { DiskImageConfig } from "../../schema/index.ts";
import { epochSeconds } from "../zk/records/_codec.ts";
import { LockBusyError } from "../zk/errors.ts";
import { buildDisplayName, type BuildId } from "../zk/ids.ts";
import { newBuild, withBuildState, type ImageBuildRecord } from "../zk/records/image.ts";
import { BuildLog, pruneBuildLogs, secretValues } from "./build-log.ts";
import type { BuilderContext } from "./context.ts";
import { dibInvocation } from "./dib-command.ts";
import { deleteLocalBuild } from "./local-files.ts";
import { buildMetrics } from "./stats.ts";

export type BuildResult = { kind: "skipped"; reason: string } | { kind: "ready" | "failed"; build: BuildId };

export interface BuildRequest {
  image: DiskImageConfig;
  formats: readonly string[];
  manual: boolean;
  /** The newest ready build the plan saw: if another is newest under the lock, someone just built. */
  newestReady: BuildId | undefined;
  /** Called with the new build's id as soon as its record exists (the builder's in-flight set). */
  onStarted?: (build: BuildId) => void;
}

export async function runBuild(ctx: BuilderContext, request: BuildRequest): Promise<BuildResult> {
  const name = request.image.name;
  let lock;
  try {
    lock = await ctx.zk.lockImageBuild(name);
  } catch (error) {
    if (error instanceof LockBusyError) return { kind: "skipped", reason: "another build of the image is running" };
    throw error;
  }
  try {
    if (request.manual) {
      if (!(await ctx.zk.hasBuildRequest(name))) return { kind: "skipped", reason: "build request already served" };
    } else {
      const newest = (await ctx.zk.getMostRecentBuilds(name, 1))[0];
      if (newest?.id !== request.newestReady) return { kind: "skipped", reason: "another builder just built it" };
    }
    const record = await ctx.zk.storeBuild(newBuild(name, { builder: ctx.hostname, builderId: ctx.builderId, formats: request.formats }), lock);
    const id = record.id as BuildId;
    request.onStarted?.(id);
    const ready = await execute(ctx, request, record, id, () => lock.lost);
    if (ready && request.manual) await ctx.zk.removeBuildRequest(name);
    return { kind: ready ? "ready" : "failed", build: id };
  } finally {
    await lock.release();
  }
}

async function execute(
  ctx: BuilderContext,
  request: BuildRequest,
  record: ImageBuildRecord,
  id: BuildId,
  lockLost: () => boolean,
): Promise<boolean> {
  const image = request.image;
  const display = buildDisplayName(image.name, id);
  const outputBase = join(ctx.imagesDir, display);
  const logDir = ctx.config["build-log-dir"];
  let sessionLost = false;
  const offState = ctx.zk.client.onState((state) => {
    if (state === "expired") sessionLost = true;
  });

  await pruneBuildLogs(logDir, image.name, ctx.config["build-log-retention"]);
  const log = await BuildLog.open(logDir, image.name, id, secretValues(image, ctx.config, ctx.secretPaths));
  const dib = dibInvocation({
    image,
    formats: request.formats,
    outputBase,
    elementsDir: ctx.config["elements-dir"],
    dibCommand: ctx.dibCommand,
    baseEnv: process.env,
  });
  ctx.log.info({ image: image.name, build: id, command: dib.file, formats: request.formats, log: log.path }, "building image");
  const started = Date.now();
  const child = execa(dib.file, dib.args, {
    env: dib.env,
    extendEnv: false,
    all: true,
    buffer: false,
    reject: false,
    stdin: "ignore",
    timeout: image["build-timeout"] * 1000,
  });
  child.all?.on("data", (chunk: Buffer) => log.write(chunk.toString("utf8")));
  const result = await child;
  const durationMs = Date.now() - started;
  offState();

  const ran = result.exitCode !== undefined || result.timedOut || result.signal !== undefined;
  const rc = result.timedOut ? 1 : (result.exitCode ?? 1);
  if (!ran) log.write(`Failed to run ${dib.file}: ${result.shortMessage}\n`);
  if (result.timedOut) log.write(`Build timed out after ${image["build-timeout"]} seconds\n`);
  await log.close(ran && !result.timedOut ? rc : null);
  await ctx.zk.client.waitConnected();

  const ready = ran && rc === 0 && !sessionLost && !lockLost();
  const sizes = new Map<string, number>();
  if (ready) for (const format of request.formats) sizes.set(format, (await stat(`${outputBase}.${format}`)).blocks * 512);
  if (ran) ctx.stats.send(buildMetrics({ image: image.name, rc, durationMs, endedAt: epochSeconds(), sizes }));

  const final = ready
    ? { ...withBuildState(record, "ready"), username: image.username, formats: request.formats }
    : { ...withBuildState(record, "failed"), username: image.username, formats: [] };
  try {
    await ctx.zk.storeBuild(final);
  } catch (error) {
    ctx.log.warn({ image: image.name, build: id, err: error }, "storing the final build record failed; removing the build's files");
    await deleteLocalBuild(ctx.imagesDir, display);
    return false;
  }
  ctx.events?.emit("build", { image: image.name, build: id, result: ready ? "ready" : "failed", durationMs });
  const why = sessionLost ? "ZooKeeper session lost during the build" : result.timedOut ? "timed out" : `exit code ${rc}`;
  if (ready) ctx.log.info({ image: image.name, build: id, durationMs }, "image build ready");
  else ctx.log.warn({ image: image.name, build: id, durationMs, log: log.path }, `image build failed: ${why}`);
  return ready;
}
