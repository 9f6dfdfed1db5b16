/**
 * Observing the image tree for the plan: every build and upload record, the build-request
 * markers, which image-build and upload locks are held, and which builds have files here.
 * Every read may leave a one-shot ZooKeeper watch (at most one per path at a time), so any
 * change to the tree wakes the builder: it never polls.
 */
import type { Watcher } from "../zk/client.ts";
import { MalformedRecordError, NoNodeError } from "../zk/errors.ts";
import { asBuildId, asUploadId, buildDisplayName, type BuildId } from "../zk/ids.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import { sortContenders } from "../zk/lock.ts";
import * as P from "../zk/paths.ts";
import { decodeBuild, decodeUpload } from "../zk/records/image.ts";
import type { BuilderObserved, ObservedBuild, ObservedImage, ObservedUpload } from "./state.ts";

/** Arms at most one watch per path; a fired watch calls `onChange` and may be armed again. */
export class WatchSet {
  private readonly armed = new Set<string>();

  constructor(private readonly onChange: (path: string) => void) {}

  watcher(path: string): Watcher | undefined {
    if (this.armed.has(path)) return undefined;
    this.armed.add(path);
    return () => {
      this.armed.delete(path);
      this.onChange(path);
    };
  }

  /** Watches die with a session: forget them so the next pass re-arms every one. */
  reset(): void {
    this.armed.clear();
  }

  /** A read that failed did not leave its watch. */
  disarm(path: string): void {
    this.armed.delete(path);
  }
}

export interface ObserveOptions {
  builderId: string;
  hostname: string;
  /** Display names of builds with files in this builder's images-dir. */
  localBuilds: ReadonlySet<string>;
  retryAfter: ReadonlyMap<string, number>;
  watches?: WatchSet;
}

export async function observeImages(zk: NodepoolZk, options: ObserveOptions): Promise<BuilderObserved> {
  const reader = new Reader(zk, options.watches);
  const names = (await reader.children(P.IMAGE_ROOT)).sort();
  const images = await Promise.all(names.map((name) => observeImage(reader, name, options.localBuilds)));
  return {
    images: new Map(images.map((image) => [image.name, image])),
    builderId: options.builderId,
    hostname: options.hostname,
    retryAfter: options.retryAfter,
  };
}

async function observeImage(reader: Reader, image: string, local: ReadonlySet<string>): Promise<ObservedImage> {
  const [ids, buildRequested, buildLocked] = await Promise.all([
    reader.children(P.buildsPath(image)),
    reader.exists(P.imageBuildRequestPath(image)),
    reader.locked(P.imageBuildLockPath(image)),
  ]);
  const builds = await Promise.all(ids.filter((id) => id !== P.LOCK_NAME).sort().map((id) => observeBuild(reader, image, asBuildId(id), local)));
  return { name: image, builds: builds.filter((b): b is ObservedBuild => b !== null), buildRequested, buildLocked };
}

async function observeBuild(reader: Reader, image: string, id: BuildId, local: ReadonlySet<string>): Promise<ObservedBuild | null> {
  const data = await reader.data(P.buildPath(image, id));
  if (data === null) return null;
  const record = decodeOrSkip(() => decodeBuild(image, id, data, P.buildPath(image, id)));
  if (record === "empty") return null;
  const providers = await reader.children(P.providersPath(image, id));
  const uploads: ObservedUpload[] = [];
  const uploadLocked = new Set<string>();
  await Promise.all(
    providers.map(async (provider) => {
      const [uploadIds, locked] = await Promise.all([reader.children(P.uploadsPath(image, id, provider)), reader.locked(P.uploadLockPath(image, id, provider))]);
      if (locked) uploadLocked.add(provider);
      for (const uploadId of uploadIds.filter((u) => u !== P.LOCK_NAME).sort()) {
        const path = P.uploadPath(image, id, provider, asUploadId(uploadId));
        const raw = await reader.data(path);
        const upload = raw === null ? "empty" : decodeOrSkip(() => decodeUpload(image, id, provider, asUploadId(uploadId), raw, path));
        if (upload === "empty") continue;
        uploads.push({ id: asUploadId(uploadId), provider, state: upload.state, stateTime: upload.stateTime, externalName: upload.externalName });
      }
    }),
  );
  return {
    id,
    state: record.state,
    stateTime: record.stateTime,
    formats: record.formats,
    builderId: record.builderId,
    builder: record.builder,
    local: local.has(buildDisplayName(image, id)),
    uploads: uploads.sort((a, b) => a.provider.localeCompare(b.provider) || a.id.localeCompare(b.id)),
    uploadLocked,
  };
}

/** A malformed record is left out of the plan (nobody can act on it), as Nodepool's readers skip it. */
function decodeOrSkip<T>(decode: () => T | "empty"): T | "empty" {
  try {
    return decode();
  } catch (error) {
    if (error instanceof MalformedRecordError) return "empty";
    throw error;
  }
}

/** Reads that treat a missing znode as absent and leave a watch when asked to. */
class Reader {
  constructor(
    private readonly zk: NodepoolZk,
    private readonly watches: WatchSet | undefined,
  ) {}

  async children(path: string): Promise<string[]> {
    const watcher = this.watches?.watcher(`c:${path}`);
    try {
      return await this.zk.client.getChildren(path, watcher);
    } catch (error) {
      this.watches?.disarm(`c:${path}`);
      // A directory that does not exist yet: watch for its creation instead.
      if (error instanceof NoNodeError) {
        await this.exists(path);
        return [];
      }
      throw error;
    }
  }

  async data(path: string): Promise<Buffer | null> {
    const watcher = this.watches?.watcher(`d:${path}`);
    try {
      return (await this.zk.client.get(path, watcher)).data;
    } catch (error) {
      this.watches?.disarm(`d:${path}`);
      if (error instanceof NoNodeError) return null;
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    const watcher = this.watches?.watcher(`e:${path}`);
    return (await this.zk.client.exists(path, watcher)) !== null;
  }

  /** Probes a lock without contending: any contender counts as held (spec/zookeeper.md §3.8). */
  async locked(path: string): Promise<boolean> {
    try {
      return sortContenders(await this.zk.client.getChildren(path)).length > 0;
    } catch (error) {
      if (error instanceof NoNodeError) return false;
      throw error;
    }
  }
}
