/**
 * The builder's plan: a pure function of (desired, observed, now) returning the builds,
 * uploads and deletions the next pass would make, each with the reason an operator reads in
 * `nodepool plan` (behaviour.md §4.2 when to build, §4.4 what to upload, §4.6 cleanup).
 */
import { buildDisplayName, type BuildId, type UploadId } from "../zk/ids.ts";
import { keptBuilds, newestReadyBuild, recentKey, recentUploads } from "./retention.ts";
import { uploadTarget, type BuilderDesired, type BuilderObserved, type ObservedBuild, type ObservedImage, type ObservedUpload } from "./state.ts";

export type BuilderAction =
  | { readonly kind: "build"; readonly image: string; readonly manual: boolean; readonly reason: string }
  | { readonly kind: "upload"; readonly image: string; readonly build: BuildId; readonly provider: string; readonly format: string; readonly reason: string }
  /** Mark `deleting`, delete the cloud image by its name, then the record. */
  | { readonly kind: "delete-upload"; readonly image: string; readonly build: BuildId; readonly provider: string; readonly upload: UploadId; readonly reason: string }
  /** An interrupted upload: remove the record only, nothing reached the cloud under a name we know. */
  | { readonly kind: "remove-upload-record"; readonly image: string; readonly build: BuildId; readonly provider: string; readonly upload: UploadId; readonly reason: string }
  /** Mark `deleting`; when `owned`, also delete the local files and the record. */
  | { readonly kind: "delete-build"; readonly image: string; readonly build: BuildId; readonly owned: boolean; readonly reason: string };

export interface BuilderPlan {
  readonly actions: readonly BuilderAction[];
  /** When a pass is next due without any event (rebuild-age, a retry), epoch seconds; null if never. */
  readonly nextWake: number | null;
}

/** `86400` → `24h`, `1800` → `30m`, `90` → `90s`: how the plan names a rebuild-age. */
export function formatAge(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function ownsBuild(build: Pick<ObservedBuild, "builderId" | "builder">, observed: Pick<BuilderObserved, "builderId" | "hostname">): boolean {
  return build.builderId !== null ? build.builderId === observed.builderId : build.builder === observed.hostname;
}

export function planBuilder(desired: BuilderDesired, observed: BuilderObserved, now: number): BuilderPlan {
  const actions: BuilderAction[] = [];
  const wakes: number[] = [];
  const wake = (at: number): void => void wakes.push(at);
  planBuilds(desired, observed, now, actions, wake);
  planUploads(desired, observed, now, actions, wake);
  for (const image of [...observed.images.values()].sort((a, b) => a.name.localeCompare(b.name))) planCleanup(desired, observed, image, actions);
  return { actions, nextWake: wakes.length === 0 ? null : Math.min(...wakes) };
}

const noBuilds: ObservedImage = { name: "", builds: [], buildRequested: false, buildLocked: false };

function planBuilds(desired: BuilderDesired, observed: BuilderObserved, now: number, actions: BuilderAction[], wake: (at: number) => void): void {
  for (const image of desired.images.values()) {
    if (image.pause) continue;
    const seen = observed.images.get(image.name) ?? noBuilds;
    const newest = newestReadyBuild(seen.builds);
    let reason: string | undefined;
    if (seen.buildRequested) reason = "image-build requested";
    else if (newest === undefined) reason = "no ready build";
    else if (now - newest.stateTime >= image.rebuildAge) reason = `rebuild-age ${formatAge(image.rebuildAge)} exceeded`;
    else {
      const missing = image.formats.filter((f) => !newest.formats.includes(f));
      if (missing.length > 0) reason = `newest ready build lacks format ${missing.join(",")}`;
      else wake(newest.stateTime + image.rebuildAge);
    }
    if (reason === undefined || seen.buildLocked) continue;
    const retry = observed.retryAfter.get(image.name);
    if (retry !== undefined && retry > now) {
      wake(retry);
      continue;
    }
    actions.push({ kind: "build", image: image.name, manual: seen.buildRequested, reason });
  }
}

function planUploads(desired: BuilderDesired, observed: BuilderObserved, now: number, actions: BuilderAction[], wake: (at: number) => void): void {
  for (const provider of desired.providers.values()) {
    for (const entry of provider.diskimages) {
      if (entry.pause) continue;
      const image = observed.images.get(entry.name);
      const newest = image && newestReadyBuild(image.builds);
      if (newest === undefined || !newest.local) continue;
      if (newest.uploads.some((u) => u.provider === provider.name && u.state === "ready")) continue;
      if (!newest.formats.includes(provider.format) || newest.uploadLocked.has(provider.name)) continue;
      const retry = observed.retryAfter.get(uploadTarget(entry.name, provider.name));
      if (retry !== undefined && retry > now) {
        wake(retry);
        continue;
      }
      const reason = `newest build ${buildDisplayName(entry.name, newest.id)} has no ready upload to ${provider.name}`;
      actions.push({ kind: "upload", image: entry.name, build: newest.id, provider: provider.name, format: provider.format, reason });
    }
  }
}

function retiredReason(build: ObservedBuild, configured: boolean): string {
  switch (build.state) {
    case "deleting":
      return "build marked deleting";
    case "failed":
      return "failed build";
    case "building":
      return "interrupted build (building, its lock free)";
    case "ready":
      return configured ? "not among the two newest ready builds" : "image removed from the config";
  }
}

function planCleanup(desired: BuilderDesired, observed: BuilderObserved, image: ObservedImage, actions: BuilderAction[]): void {
  const dimage = desired.images.get(image.name);
  const local = image.builds.filter((b) => b.local);
  if (dimage === undefined && local.length === 0) return;
  const keep = keptBuilds(image.builds);
  if (dimage === undefined) for (const build of local) keep.delete(build.id);
  const recent = recentUploads(image);

  for (const build of image.builds) {
    const gone = new Set<UploadId>();
    const deleteUpload = (upload: ObservedUpload, reason: string): void => {
      if (gone.has(upload.id)) return;
      if (upload.state === "uploading" && build.uploadLocked.has(upload.provider)) return;
      gone.add(upload.id);
      actions.push({ kind: "delete-upload", image: image.name, build: build.id, provider: upload.provider, upload: upload.id, reason });
    };
    for (const provider of desired.providers.values()) {
      const uploads = build.uploads.filter((u) => u.provider === provider.name);
      if (!provider.diskimages.some((d) => d.name === image.name)) {
        const reason = provider.diskimages.length === 0 ? "provider diskimages is empty" : `provider ${provider.name} no longer lists ${image.name}`;
        for (const upload of uploads) deleteUpload(upload, reason);
      } else if (keep.has(build.id)) {
        for (const upload of uploads) {
          if (upload.state === "uploading" && !build.uploadLocked.has(provider.name)) {
            gone.add(upload.id);
            const reason = "interrupted upload (uploading, its lock free)";
            actions.push({ kind: "remove-upload-record", image: image.name, build: build.id, provider: provider.name, upload: upload.id, reason });
          } else if (upload.state === "failed" || upload.state === "deleting") deleteUpload(upload, `${upload.state} upload`);
        }
      }
    }
    if (build.state !== "deleting" && (keep.has(build.id) || (build.state === "building" && image.buildLocked))) continue;

    const reason = retiredReason(build, dimage !== undefined);
    for (const provider of desired.providers.values()) {
      for (const upload of build.uploads.filter((u) => u.provider === provider.name)) {
        if (recent.has(recentKey(build.id, upload.provider, upload.id))) continue;
        const why = build.state !== "ready" ? reason : upload.state === "ready" ? `not among the two newest ready uploads to ${provider.name}` : `${upload.state} upload of a retired build`;
        deleteUpload(upload, why);
      }
    }
    if (build.uploads.some((u) => !gone.has(u.id))) continue;
    const owned = ownsBuild(build, observed);
    if (!owned && build.state === "deleting") continue;
    actions.push({ kind: "delete-build", image: image.name, build: build.id, owned, reason });
  }
}

/** One line per action, as `nodepool plan` prints them. */
export function describeBuilderAction(action: BuilderAction): string {
  switch (action.kind) {
    case "build":
      return `build ${action.image}: ${action.reason}`;
    case "upload":
      return `upload ${buildDisplayName(action.image, action.build)} to ${action.provider} (${action.format}): ${action.reason}`;
    case "delete-upload":
      return `delete upload ${action.upload} of ${buildDisplayName(action.image, action.build)} from ${action.provider}: ${action.reason}`;
    case "remove-upload-record":
      return `remove upload record ${action.upload} of ${buildDisplayName(action.image, action.build)} for ${action.provider}: ${action.reason}`;
    case "delete-build":
      return `delete build ${buildDisplayName(action.image, action.build)}${action.owned ? "" : " (files left to their builder)"}: ${action.reason}`;
  }
}
