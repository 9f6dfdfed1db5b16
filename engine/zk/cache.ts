import type { Logger } from "../log.ts";
import type { WatchEvent, ZkClient } from "./client.ts";
import { MalformedRecordError, NoNodeError } from "./errors.ts";

/**
 * Watched caches: the children of one znode and their decoded data, kept current by ZooKeeper
 * watches (one child watch on the directory, one data watch per child), never by polling.
 * After a session expiry every watch is gone, so the cache re-reads everything under the new
 * session and reports the differences; after a mere reconnect the C client re-arms the
 * watches itself and the server replays what was missed.
 */

export type CacheChange<T, Id extends string = string> =
  | { readonly kind: "added"; readonly id: Id; readonly record: T }
  | { readonly kind: "updated"; readonly id: Id; readonly record: T; readonly previous: T }
  | { readonly kind: "removed"; readonly id: Id; readonly previous: T };

/** Turns a child's data into a record; "empty" for data-less znodes; throws MalformedRecordError. */
export type ChildDecoder<T> = (name: string, data: Buffer, path: string) => T | "empty";

export interface ChildrenCacheOptions<T> {
  /** Children not to track (the reserved `lock` among builds and uploads). */
  readonly skip?: (name: string) => boolean;
  /** Omitted: track names only (directories), without reading data. */
  readonly decode?: ChildDecoder<T>;
  readonly log: Logger;
}

export class ChildrenCache<T, Id extends string = string> {
  readonly path: string;
  private readonly client: ZkClient;
  private readonly options: ChildrenCacheOptions<T>;
  private readonly records = new Map<string, T>();
  private readonly emptyNames = new Set<string>();
  private readonly names = new Set<string>();
  /** Children with a data watch armed in the current session. */
  private readonly armed = new Set<string>();
  private readonly listeners = new Set<(change: CacheChange<T, Id>) => void>();
  private readonly nameListeners = new Set<(name: Id, present: boolean) => void>();
  private childWatchArmed = false;
  private closed = false;
  private offSession: (() => void) | undefined;
  private offState: (() => void) | undefined;
  /** A read failed (connection lost): catch up as soon as the client is connected again. */
  private behind = false;
  private syncing: Promise<void> | undefined;
  private resyncWanted = false;

  constructor(client: ZkClient, path: string, options: ChildrenCacheOptions<T>) {
    this.client = client;
    this.path = path;
    this.options = options;
  }

  /** Loads the current children and arms the watches; resolves when the cache is complete. */
  async start(): Promise<void> {
    this.offSession = this.client.onSession(() => this.resync());
    this.offState = this.client.onState((state) => {
      if (state === "connected" && this.behind) {
        this.behind = false;
        void this.sync(true);
      }
    });
    await this.sync();
  }

  close(): void {
    this.closed = true;
    this.offSession?.();
    this.offState?.();
    this.listeners.clear();
    this.nameListeners.clear();
  }

  get(id: Id): T | undefined {
    return this.records.get(id);
  }

  get size(): number {
    return this.records.size;
  }

  values(): T[] {
    return [...this.records.values()];
  }

  entries(): [Id, T][] {
    return [...this.records.entries()] as [Id, T][];
  }

  /** Child names present (all of them for a names-only cache), in name order. */
  childNames(): Id[] {
    return [...this.names].sort() as Id[];
  }

  /** Children whose znode has empty data (skipped as records). */
  emptyChildren(): Id[] {
    return [...this.emptyNames].sort() as Id[];
  }

  onChange(listener: (change: CacheChange<T, Id>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reports child names appearing and disappearing (names-only caches drive nested caches with it). */
  onName(listener: (name: Id, present: boolean) => void): () => void {
    this.nameListeners.add(listener);
    return () => this.nameListeners.delete(listener);
  }

  private childPath(name: string): string {
    return `${this.path}/${name}`;
  }

  /** After a session expiry: no watch survives, re-read everything. */
  private resync(): void {
    this.armed.clear();
    this.childWatchArmed = false;
    void this.sync(true);
  }

  /** Lists the children (arming the child watch) and reconciles; serialised, coalescing repeats. */
  private sync(reloadAll = false): Promise<void> {
    if (this.syncing) {
      this.resyncWanted = true;
      return this.syncing;
    }
    this.syncing = this.syncOnce(reloadAll)
      .catch((error: unknown) => this.fellBehind(this.path, error))
      .finally(() => {
        this.syncing = undefined;
        if (this.resyncWanted && !this.closed) {
          this.resyncWanted = false;
          void this.sync(true);
        }
      });
    return this.syncing;
  }

  private async syncOnce(reloadAll: boolean): Promise<void> {
    if (this.closed) return;
    let children: string[];
    try {
      const watch = this.childWatchArmed ? undefined : () => this.onChildEvent();
      this.childWatchArmed = true;
      children = await this.client.getChildren(this.path, watch);
    } catch (error) {
      if (!(error instanceof NoNodeError)) {
        this.childWatchArmed = false;
        throw error;
      }
      // The directory does not exist yet: wait for its creation.
      this.childWatchArmed = false;
      const stat = await this.client.exists(this.path, () => void this.sync());
      if (stat !== null) return this.syncOnce(reloadAll);
      children = [];
    }
    const present = new Set(children.filter((name) => !this.options.skip?.(name)));
    for (const name of [...this.names]) if (!present.has(name)) this.forget(name);
    const loads: Promise<void>[] = [];
    for (const name of present) {
      const known = this.names.has(name);
      if (!known) {
        this.names.add(name);
        for (const listener of this.nameListeners) listener(name as Id, true);
      }
      if (this.options.decode && (!known || (reloadAll && !this.armed.has(name)))) loads.push(this.load(name));
    }
    await Promise.all(loads);
  }

  private onChildEvent(): void {
    this.childWatchArmed = false;
    if (this.closed) return;
    void this.sync();
  }

  /** Reads one child with a data watch and records the result. */
  private async load(name: string): Promise<void> {
    const decode = this.options.decode;
    if (!decode || this.closed) return;
    const path = this.childPath(name);
    const watch = this.armed.has(name) ? undefined : (event: WatchEvent) => this.onDataEvent(name, event);
    if (watch) this.armed.add(name);
    let data: Buffer;
    try {
      data = (await this.client.get(path, watch)).data;
    } catch (error) {
      if (watch) this.armed.delete(name);
      if (error instanceof NoNodeError) return this.forget(name);
      throw error;
    }
    if (this.closed || !this.names.has(name)) return;
    let record: T | "empty";
    try {
      record = decode(name, data, path);
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      this.options.log.warn({ path, err: error.message }, "skipping malformed record");
      this.dropRecord(name);
      return;
    }
    if (record === "empty") {
      this.emptyNames.add(name);
      this.dropRecord(name);
      return;
    }
    this.emptyNames.delete(name);
    const previous = this.records.get(name);
    this.records.set(name, record);
    const id = name as Id;
    this.emit(previous === undefined ? { kind: "added", id, record } : { kind: "updated", id, record, previous });
  }

  private onDataEvent(name: string, event: WatchEvent): void {
    this.armed.delete(name);
    if (this.closed) return;
    if (event.type === "deleted") {
      this.forget(name);
      return;
    }
    this.load(name).catch((error: unknown) => this.fellBehind(event.path, error));
  }

  private fellBehind(path: string, error: unknown): void {
    this.behind = true;
    this.options.log.warn({ path, err: error }, "cache read failed; catching up once reconnected");
  }

  private forget(name: string): void {
    if (!this.names.delete(name)) return;
    this.emptyNames.delete(name);
    this.dropRecord(name);
    for (const listener of this.nameListeners) listener(name as Id, false);
  }

  private dropRecord(name: string): void {
    const previous = this.records.get(name);
    if (previous === undefined) return;
    this.records.delete(name);
    this.emit({ kind: "removed", id: name as Id, previous });
  }

  private emit(change: CacheChange<T, Id>): void {
    for (const listener of this.listeners) listener(change);
  }
}
