/**
 * Ready image uploads as the launcher needs them: which diskimages have a ready upload to
 * which provider, and the newest one to boot from (behaviour.md §3.1 step 1: newest by upload
 * `state_time` across all builds). Kept current by watches on the image tree, so a new upload
 * is usable as soon as it is ready.
 */
import type { BootImage } from "../drivers/driver.ts";
import type { Logger } from "../log.ts";
import type { ZkClient } from "../zk/client.ts";
import { asBuildId, asUploadId, type BuildId } from "../zk/ids.ts";
import * as P from "../zk/paths.ts";
import { decodeUpload, type ImageUploadRecord } from "../zk/records/image.ts";
import { WatchedChildren } from "./watched.ts";

const directory = (name: string): true | null => (name === P.LOCK_NAME ? null : true);

export class UploadIndex {
  private readonly images: WatchedChildren<true>;
  private readonly watchers = new Map<string, WatchedChildren<unknown>>();
  private readonly uploads = new Map<string, WatchedChildren<ImageUploadRecord>>();
  /** Watchers still doing their first listing; start() waits for the whole tree. */
  private readonly starting = new Set<Promise<void>>();

  constructor(
    private readonly client: ZkClient,
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {
    this.images = new WatchedChildren(client, P.IMAGE_ROOT, () => true, (image, kind) => this.level(kind, `i:${image}`, P.buildsPath(image), (build, k) => this.onBuild(image, asBuildId(build), k)), log);
  }

  async start(): Promise<void> {
    await this.images.start();
    while (this.starting.size > 0) await Promise.all([...this.starting]);
  }

  close(): void {
    this.images.close();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.uploads.clear();
  }

  /** The newest ready upload of `image` to `provider`, as a boot image. */
  newest(image: string, provider: string): BootImage | null {
    let best: ImageUploadRecord | null = null;
    for (const [key, watched] of this.uploads) {
      if (!key.startsWith(`${image}/`) || !key.endsWith(`/${provider}`)) continue;
      for (const upload of watched.all()) {
        if (upload.image !== image || upload.provider !== provider || upload.state !== "ready" || !upload.externalId) continue;
        if (!best || upload.stateTime > best.stateTime) best = upload;
      }
    }
    if (!best?.id || !best.externalId) return null;
    return {
      kind: "diskimage",
      name: image,
      uploadPath: P.uploadPath(image, best.buildId, provider, best.id),
      externalId: best.externalId,
      username: best.username,
    };
  }

  /** `<image>/<provider>` for every ready upload. */
  readyKeys(): Set<string> {
    const keys = new Set<string>();
    for (const watched of this.uploads.values()) {
      for (const upload of watched.all()) if (upload.state === "ready") keys.add(`${upload.image}/${upload.provider}`);
    }
    return keys;
  }

  private onBuild(image: string, build: BuildId, kind: "added" | "changed" | "removed"): void {
    this.level(kind, `b:${image}/${build}`, P.providersPath(image, build), (provider, k) => {
      const key = `${image}/${build}/${provider}`;
      if (k === "removed") {
        this.dropUnder(key);
        return;
      }
      if (k !== "added" || this.uploads.has(key)) return;
      const uploads = new WatchedChildren<ImageUploadRecord>(
        this.client,
        P.uploadsPath(image, build, provider),
        (id, data, path) => (id === P.LOCK_NAME ? null : decodeUpload(image, build, provider, asUploadId(id), data, path)),
        () => this.onChange(),
        this.log,
        false,
      );
      this.uploads.set(key, uploads);
      this.watchers.set(`u:${key}`, uploads);
      this.track(uploads.start().catch((error: unknown) => this.log.warn({ err: error, key }, "watching uploads failed")));
    });
  }

  private track(starting: Promise<void>): void {
    this.starting.add(starting);
    void starting.finally(() => this.starting.delete(starting));
  }

  /** Stops watching everything at or below `prefix` (`<image>`, `<image>/<build>`, ...). */
  private dropUnder(prefix: string): void {
    const under = (key: string): boolean => key === prefix || key.startsWith(`${prefix}/`);
    for (const [key, watched] of this.watchers) {
      if (!under(key.slice(2))) continue;
      watched.close();
      this.watchers.delete(key);
    }
    for (const key of [...this.uploads.keys()]) if (under(key)) this.uploads.delete(key);
    this.onChange();
  }

  /** Starts or stops watching one directory level below an added or removed parent. */
  private level(kind: "added" | "changed" | "removed", key: string, path: string, onChild: (name: string, kind: "added" | "changed" | "removed") => void): void {
    if (kind === "removed") {
      this.dropUnder(key.slice(2));
      return;
    }
    if (kind !== "added" || this.watchers.has(key)) return;
    const watched = new WatchedChildren<true>(this.client, path, directory, onChild, this.log, false);
    this.watchers.set(key, watched);
    this.track(watched.start().catch((error: unknown) => this.log.warn({ err: error, path }, "watching the image tree failed")));
  }
}
