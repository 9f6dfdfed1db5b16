/**
 * Retention (behaviour.md §4.6): the two most recent ready builds of an image are kept, and
 * per image and provider the two most recent ready uploads; everything else is deleted. An
 * older build survives as long as one of its uploads is still among the two most recent.
 */
import type { BuildId, UploadId } from "../zk/ids.ts";
import type { ObservedBuild, ObservedImage, ObservedUpload } from "./state.ts";

export const KEEP_BUILDS = 2;
export const KEEP_UPLOADS = 2;

const newestFirst = <T extends { readonly stateTime: number }>(a: T, b: T): number => b.stateTime - a.stateTime;

/** The ready builds to keep: the two with the greatest `state_time`. */
export function keptBuilds(builds: readonly ObservedBuild[]): Set<BuildId> {
  return new Set(builds.filter((b) => b.state === "ready").sort(newestFirst).slice(0, KEEP_BUILDS).map((b) => b.id));
}

/** The newest ready build (the one that is uploaded), or undefined. */
export function newestReadyBuild(builds: readonly ObservedBuild[]): ObservedBuild | undefined {
  return builds.filter((b) => b.state === "ready").sort(newestFirst)[0];
}

/**
 * The "recent" uploads of an image, as `<provider>/<upload id>` keys under their build: per
 * ready build and provider its two newest ready uploads, then per provider the two newest of those.
 */
export function recentUploads(image: ObservedImage): Set<string> {
  const perProvider = new Map<string, { build: BuildId; upload: ObservedUpload }[]>();
  for (const build of image.builds) {
    if (build.state !== "ready") continue;
    const byProvider = new Map<string, ObservedUpload[]>();
    for (const upload of build.uploads) if (upload.state === "ready") byProvider.set(upload.provider, [...(byProvider.get(upload.provider) ?? []), upload]);
    for (const [provider, uploads] of byProvider) {
      const best = uploads.sort(newestFirst).slice(0, KEEP_UPLOADS).map((upload) => ({ build: build.id, upload }));
      perProvider.set(provider, [...(perProvider.get(provider) ?? []), ...best]);
    }
  }
  const recent = new Set<string>();
  for (const entries of perProvider.values()) {
    entries.sort((a, b) => newestFirst(a.upload, b.upload));
    for (const { build, upload } of entries.slice(0, KEEP_UPLOADS)) recent.add(recentKey(build, upload.provider, upload.id));
  }
  return recent;
}

export const recentKey = (build: BuildId, provider: string, upload: UploadId): string => `${build}/${provider}/${upload}`;
