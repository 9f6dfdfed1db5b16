import type { Logger } from "../log.ts";
import type { ZkClient } from "./client.ts";
import { ChildrenCache, type CacheChange } from "./cache.ts";
import { MalformedRecordError } from "./errors.ts";
import { asBuildId, asLauncherId, asNodeId, asRequestId, asUploadId, type BuildId, type LauncherId, type NodeId, type RequestId, type UploadId } from "./ids.ts";
import * as P from "./paths.ts";
import { decodeBuild, decodeUpload, type ImageBuildRecord, type ImageUploadRecord, type UploadState } from "./records/image.ts";
import { decodeLauncher, type LauncherRecord } from "./records/launcher.ts";
import { decodeNode, type NodeRecord } from "./records/node.ts";
import { compareRequests, decodeRequest, type NodeRequestRecord } from "./records/request.ts";

/**
 * The launcher's and builder's watched views of the tree: nodes, requests, launcher
 * registrations and images (builds, uploads, build requests, pause markers). Decisions where a
 * stale view is harmful still read ZooKeeper directly (behaviour.md §2.21).
 */

/** A node record as the caches hold it: with its id, the znode's name. */
export type CachedNode = NodeRecord & { readonly id: NodeId };
/** A request record as the caches hold it: with its id, the znode's name. */
export type CachedRequest = NodeRequestRecord & { readonly id: RequestId };

export type NodeCache = ChildrenCache<CachedNode, NodeId>;
export type RequestCache = ChildrenCache<CachedRequest, RequestId>;
export type LauncherCache = ChildrenCache<LauncherRecord, LauncherId>;

/** Who reads a cache: the logger for malformed records, and whether to create its directory. */
export interface CacheOptions {
  readonly log?: Logger;
  /** Create the top-level directory when missing (the launcher does; readers only wait). */
  readonly create?: boolean;
}

/** Every node record, not yet started; `emptyChildren()` lists data-less node znodes for the empty-node cleanup. */
export function nodeCache(client: ZkClient, options: CacheOptions = {}): NodeCache {
  return new ChildrenCache<CachedNode, NodeId>(client, P.NODE_ROOT, { log: options.log ?? client.log, create: options.create, decode: (name, data, path) => decodeNode(asNodeId(name), data, path) });
}

/**
 * Every request record, not yet started. A request znode without data is malformed (requests
 * have no children to be the parent of): `malformedChildren()` lists it with the unreadable ones.
 */
export function requestCache(client: ZkClient, options: CacheOptions = {}): RequestCache {
  return new ChildrenCache<CachedRequest, RequestId>(client, P.REQUEST_ROOT, {
    log: options.log ?? client.log,
    create: options.create,
    decode: (name, data, path) => {
      const id = asRequestId(name);
      const request = decodeRequest(id, data, path);
      if (request === "empty") throw new MalformedRecordError(`${path}: request znode without data`, path);
      return { ...request, id };
    },
  });
}

/** Every launcher registration, not yet started. */
export function launcherCache(client: ZkClient, options: CacheOptions = {}): LauncherCache {
  return new ChildrenCache<LauncherRecord, LauncherId>(client, P.LAUNCHER_ROOT, {
    log: options.log ?? client.log,
    create: options.create,
    decode: (name, data, path) => decodeLauncher(asLauncherId(name), data, path),
  });
}

/** The requests in serving order. */
export function sortedRequests(cache: RequestCache): CachedRequest[] {
  return cache.values().sort(compareRequests);
}

/** What changed in the image tree; the builder and launcher re-plan on any of these. */
export type ImageChange =
  | { readonly kind: "image"; readonly image: string; readonly present: boolean }
  | { readonly kind: "marker"; readonly image: string }
  | { readonly kind: "build"; readonly image: string; readonly change: CacheChange<ImageBuildRecord, BuildId> }
  | { readonly kind: "upload"; readonly image: string; readonly build: BuildId; readonly provider: string; readonly change: CacheChange<ImageUploadRecord, UploadId> };

const notLock = (name: string): boolean => name === P.LOCK_NAME;

/** Caches of one build: its providers, and per provider its uploads. */
interface BuildView {
  readonly providers: ChildrenCache<never>;
  readonly uploads: Map<string, ChildrenCache<ImageUploadRecord, UploadId>>;
}

/** One image: its markers (`request-build`, `pause`), builds, and their uploads. */
interface ImageView {
  readonly markers: ChildrenCache<never>;
  readonly builds: ChildrenCache<ImageBuildRecord, BuildId>;
  readonly perBuild: Map<BuildId, BuildView>;
}

/** The watched image tree (`/nodepool/images/...`). */
export class ImageCache {
  private readonly client: ZkClient;
  private readonly root: ChildrenCache<never>;
  private readonly views = new Map<string, ImageView>();
  private readonly listeners = new Set<(change: ImageChange) => void>();
  private readonly pending = new Set<Promise<void>>();

  constructor(client: ZkClient) {
    this.client = client;
    this.root = new ChildrenCache<never>(client, P.IMAGE_ROOT, { log: client.log });
    this.root.onName((image, present) => {
      if (present) this.track(this.openImage(image));
      else this.closeImage(image);
      this.emit({ kind: "image", image, present });
    });
  }

  /** Loads the whole image tree (resolves, with the cache, once every level is loaded) and keeps it current. */
  async start(): Promise<this> {
    await this.root.start();
    await this.settled();
    return this;
  }

  close(): void {
    for (const image of [...this.views.keys()]) this.closeImage(image);
    this.root.close();
    this.listeners.clear();
  }

  onChange(listener: (change: ImageChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  images(): string[] {
    return this.root.childNames();
  }

  hasBuildRequest(image: string): boolean {
    return this.views.get(image)?.markers.childNames().includes("request-build") ?? false;
  }

  /** The runtime pause marker (spec §1.4). */
  isPaused(image: string): boolean {
    return this.views.get(image)?.markers.childNames().includes("pause") ?? false;
  }

  builds(image: string): ImageBuildRecord[] {
    return (this.views.get(image)?.builds.values() ?? []).sort((a, b) => (a.id ?? "").localeCompare(b.id ?? ""));
  }

  build(image: string, id: BuildId): ImageBuildRecord | undefined {
    return this.views.get(image)?.builds.get(id);
  }

  providers(image: string, build: BuildId): string[] {
    return this.views.get(image)?.perBuild.get(build)?.providers.childNames() ?? [];
  }

  uploads(image: string, build: BuildId, provider: string): ImageUploadRecord[] {
    return (this.views.get(image)?.perBuild.get(build)?.uploads.get(provider)?.values() ?? []).sort((a, b) => (a.id ?? "").localeCompare(b.id ?? ""));
  }

  /** The upload a launcher boots from: greatest `state_time` in `state` across all builds. */
  mostRecentUpload(image: string, provider: string, state: UploadState = "ready"): ImageUploadRecord | undefined {
    let newest: ImageUploadRecord | undefined;
    for (const build of this.views.get(image)?.perBuild.keys() ?? []) {
      for (const upload of this.uploads(image, build, provider)) {
        if (upload.state === state && (newest === undefined || upload.stateTime > newest.stateTime)) newest = upload;
      }
    }
    return newest;
  }

  /** `<image>/<provider>` for every image with a ready upload to that provider. */
  readyUploads(): Set<string> {
    const keys = new Set<string>();
    for (const [image, view] of this.views) {
      for (const build of view.perBuild.values()) {
        for (const [provider, uploads] of build.uploads) {
          for (const upload of uploads.map.values()) {
            if (upload.state !== "ready") continue;
            keys.add(`${image}/${provider}`);
            break;
          }
        }
      }
    }
    return keys;
  }

  /** Resolves once every nested cache opened so far has loaded. */
  private async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.client.log.warn({ err: error }, "image cache load failed"))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async openImage(image: string): Promise<void> {
    const markers = new ChildrenCache<never>(this.client, P.imagePath(image), { log: this.client.log });
    const builds = new ChildrenCache<ImageBuildRecord, BuildId>(this.client, P.buildsPath(image), {
      log: this.client.log,
      skip: notLock,
      decode: (name, data, path) => decodeBuild(image, asBuildId(name), data, path),
    });
    const view: ImageView = { markers, builds, perBuild: new Map() };
    this.views.set(image, view);
    markers.onName(() => this.emit({ kind: "marker", image }));
    builds.onChange((change) => this.emit({ kind: "build", image, change }));
    builds.onName((build, present) => {
      if (present) this.track(this.openBuild(image, view, build));
      else this.closeBuild(image, view, build);
    });
    await Promise.all([markers.start(), builds.start()]);
  }

  private async openBuild(image: string, view: ImageView, build: BuildId): Promise<void> {
    const providers = new ChildrenCache<never>(this.client, P.providersPath(image, build), { log: this.client.log });
    const buildView: BuildView = { providers, uploads: new Map() };
    view.perBuild.set(build, buildView);
    providers.onName((provider, present) => {
      if (present) this.track(this.openUploads(image, build, buildView, provider));
      else this.closeUploads(image, build, buildView, provider);
    });
    await providers.start();
  }

  private async openUploads(image: string, build: BuildId, view: BuildView, provider: string): Promise<void> {
    const uploads = new ChildrenCache<ImageUploadRecord, UploadId>(this.client, P.uploadsPath(image, build, provider), {
      log: this.client.log,
      skip: notLock,
      decode: (name, data, path) => decodeUpload(image, build, provider, asUploadId(name), data, path),
    });
    view.uploads.set(provider, uploads);
    uploads.onChange((change) => this.emit({ kind: "upload", image, build, provider, change }));
    await uploads.start();
  }

  /** Stops watching one provider's uploads, reporting them removed (erase drops the whole folder). */
  private closeUploads(image: string, build: BuildId, view: BuildView, provider: string): void {
    const uploads = view.uploads.get(provider);
    if (!uploads) return;
    view.uploads.delete(provider);
    uploads.close();
    for (const [id, previous] of uploads.entries()) this.emit({ kind: "upload", image, build, provider, change: { kind: "removed", id, previous } });
  }

  private closeBuild(image: string, view: ImageView, build: BuildId): void {
    const buildView = view.perBuild.get(build);
    if (!buildView) return;
    for (const provider of [...buildView.uploads.keys()]) this.closeUploads(image, build, buildView, provider);
    buildView.providers.close();
    view.perBuild.delete(build);
  }

  private closeImage(image: string): void {
    const view = this.views.get(image);
    if (!view) return;
    for (const build of [...view.perBuild.keys()]) this.closeBuild(image, view, build);
    view.markers.close();
    view.builds.close();
    this.views.delete(image);
  }

  private emit(change: ImageChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
