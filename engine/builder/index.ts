/**
 * The builder (behaviour.md §4): what other modules import.
 *
 * - `BuilderDaemon.start(options)` — the `nodepool-builder` daemon; `Builder` — the controller
 *   on a given connection and config (tests, `nodepool apply`).
 * - `planBuilder(desired, observed, now)` — the pure plan with reasons, `describeBuilderAction`
 *   one line per action; `builderDesired(config, providerFormats)` and `observeImages(zk, …)`
 *   make its inputs.
 * - `runBuild`, `runUpload`, `deleteUpload`, `removeUploadRecord`, `deleteBuild` — one action each.
 * - `requestImageBuild`, `deleteDibImage`, `deleteImageUpload`, `listAlienImages` — the CLI's image commands.
 * - `createImage` — nodepool-image-create, the bundled small disk-image-create.
 */
export { Builder, type BuilderOptions } from "./builder.ts";
export { BuilderConfigError, BuilderDaemon, type BuilderDaemonOptions } from "./daemon.ts";
export { describeBuilderAction, formatAge, ownsBuild, planBuilder, type BuilderAction, type BuilderPlan } from "./plan.ts";
export { builderDesired } from "./desired.ts";
export { observeImages, WatchSet, type ObserveOptions } from "./observe.ts";
export type * from "./state.ts";
export { uploadTarget } from "./state.ts";
export { keptBuilds, newestReadyBuild, recentUploads, KEEP_BUILDS, KEEP_UPLOADS } from "./retention.ts";
export { DEFAULT_FORMAT, imageProviders, requiredFormats, type ImageProvider } from "./formats.ts";
export { DEFAULT_DIB_COMMAND, dibInvocation, type DibInvocation, type DibInvocationInput } from "./dib-command.ts";
export { runBuild, type BuildRequest, type BuildResult } from "./build.ts";
export { cloudImageName, runUpload, type UploadRequest, type UploadResult } from "./upload.ts";
export { deleteBuild, deleteUpload, removeUploadRecord } from "./cleanup.ts";
export type { BuilderContext } from "./context.ts";
export { BuildLog, buildLogName, logsToPrune, maskText, pruneBuildLogs, secretValues } from "./build-log.ts";
export { BUILDER_ID_FILE, BuilderIdError, deleteLocalBuild, localBuilds, readBuilderId, readOrCreateBuilderId } from "./local-files.ts";
export { buildMetrics, uploadMetrics, type BuildOutcome } from "./stats.ts";
export { BuilderEventEmitter, type BuildEvent, type BuilderEvents, type UploadEvent } from "./events.ts";
export * from "./operations.ts";
export { createImage, ImageCreateError, imageFormats, parseFormats, UnknownFormatError, type ImageCreateRequest, type ImageFormat } from "./image-create.ts";
