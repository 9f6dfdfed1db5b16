/**
 * Carrying out one builder action, for the builder daemon and `nodepool apply` alike: a build,
 * an upload, or a deletion of the plan (behaviour.md §4), run to its end. The daemon runs
 * builds and uploads in its workers; apply awaits each in turn.
 */
import { runBuild } from "./build.ts";
import { deleteBuild, deleteUpload, removeUploadRecord } from "./cleanup.ts";
import type { BuilderContext } from "./context.ts";
import type { BuilderAction } from "./plan.ts";
import { newestReadyBuild } from "./retention.ts";
import type { BuilderDesired, BuilderObserved } from "./state.ts";
import { runUpload } from "./upload.ts";
import { buildDisplayName } from "../zk/ids.ts";

export interface DispatchOptions {
  /** Deletions on (the reference's cleanup worker); tests turn them off to see failed records. */
  cleanup: boolean;
  /** Display names of the builds this process is making: a build is in it while it runs, and never deleted under it. */
  building: Set<string>;
}

/** Runs `action` to its end; returns why it failed (a build or upload that failed), or null. */
export async function dispatchBuilderAction(
  ctx: BuilderContext,
  action: BuilderAction,
  desired: BuilderDesired,
  observed: BuilderObserved,
  options: DispatchOptions,
): Promise<string | null> {
  switch (action.kind) {
    case "build": {
      const image = ctx.config.diskimages.find((d) => d.name === action.image);
      if (image === undefined) return null;
      let display: string | undefined;
      try {
        const result = await runBuild(ctx, {
          image,
          formats: desired.images.get(action.image)?.formats ?? [],
          manual: action.manual,
          newestReady: newestReadyBuild(observed.images.get(action.image)?.builds ?? [])?.id,
          onStarted: (build) => {
            display = buildDisplayName(image.name, build);
            options.building.add(display);
          },
        });
        return result.kind === "failed" ? `build ${buildDisplayName(action.image, result.build)} failed (see its build log)` : null;
      } finally {
        if (display !== undefined) options.building.delete(display);
      }
    }
    case "upload": {
      const result = await runUpload(ctx, { image: action.image, build: action.build, provider: action.provider, format: action.format });
      return result.kind === "failed" ? `upload ${result.upload} failed` : null;
    }
    case "delete-upload":
      if (options.cleanup) await deleteUpload(ctx, action);
      return null;
    case "remove-upload-record":
      if (options.cleanup) await removeUploadRecord(ctx, action);
      return null;
    case "delete-build": {
      const state = observed.images.get(action.image)?.builds.find((b) => b.id === action.build)?.state;
      if (options.cleanup && state !== undefined) await deleteBuild(ctx, action, state, options.building);
      return null;
    }
  }
}
