import type { Logger } from "../log.ts";
import type { WatchEvent, ZkClient } from "./client.ts";
import { MalformedRecordError, NoNodeError } from "./errors.ts";

/**
 * Watched caches: the children of one znode and their decoded data, kept current by ZooKeeper
 * watches (one child watch on the directory, one data watch per child), never by polling.
 * After a session expiry every watch is gone, so the cache re-reads everything under the new
 * session and reports the differences; after a mere reconnect the C client re-arms the
 * watches itself and the server replays what was missed.
 *
 * Write-through: a process writing a child under that child's lock tells the cache
 * (`writing`, `wrote`, `released`, `deleted`), so its own writes cost no re-read, and
 * `current` answers whether a cached child is known to be as ZooKeeper has it.
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
  /**
   * Create the directory when missing: only for top-level directories. Lower ones are waited
   * for, never created, or a writer's deletion would be undone (zookeeper.md §3.9).
   */
  readonly create?: boolean;
  readonly log: Logger;
}

export class ChildrenCache<T, Id extends string = string> {
  readonly path: string;
  private readonly client: ZkClient;
  private readonly options: ChildrenCacheOptions<T>;
  private readonly records = new Map<Id, T>();
  private readonly emptyNames = new Set<string>();
  /** Children whose data did not decode, with why (kept until they decode or go). */
  private readonly malformedNames = new Map<Id, string>();
  private readonly names = new Set<string>();
  /** Children with a data watch armed in the current session, each watch with its own number. */
  private readonly armed = new Map<string, number>();
  private watchSerial = 0;
  /** Children read with a data watch that has not fired since: their cached data is current. */
  private readonly watching = new Set<string>();
  /**
   * Children this process writes under their lock: their data events are not re-read (our own
   * writes fire them) and reads answering meanwhile are ignored (ours is newer), until
   * `released`. Nobody else writes a locked record (zookeeper.md §4).
   */
  private readonly ownWrites = new Set<string>();
  private readonly listeners = new Set<(change: CacheChange<T, Id>) => void>();
  private readonly nameListeners = new Set<(name: Id, present: boolean) => void>();
  private readonly malformedListeners = new Set<(name: Id, reason: string) => void>();
  private childWatchArmed = false;
  private closed = false;
  private offSession: (() => void) | undefined;
  private offState: (() => void) | undefined;
  /** A read failed (connection lost): catch up as soon as the client is connected again. */
  private behind = false;
  private syncing: Promise<void> | undefined;
  /** A sync asked for while one runs, and whether it re-reads unwatched children. */
  private queuedReload: boolean | undefined;

  constructor(client: ZkClient, path: string, options: ChildrenCacheOptions<T>) {
    this.client = client;
    this.path = path;
    this.options = options;
  }

  /** Loads the current children and arms the watches; resolves, with the cache, when it is complete. */
  async start(): Promise<this> {
    this.offSession = this.client.onSession(() => this.resync());
    this.offState = this.client.onState((state) => {
      if (state === "connected" && this.behind) {
        this.behind = false;
        void this.sync(true);
      }
    });
    await this.sync();
    return this;
  }

  close(): void {
    this.closed = true;
    this.offSession?.();
    this.offState?.();
    this.listeners.clear();
    this.nameListeners.clear();
    this.malformedListeners.clear();
  }

  get(id: Id): T | undefined {
    return this.records.get(id);
  }

  has(id: Id): boolean {
    return this.records.has(id);
  }

  get size(): number {
    return this.records.size;
  }

  /** The live map of records (read it, never keep it: it changes with the next event). */
  get map(): ReadonlyMap<Id, T> {
    return this.records;
  }

  values(): T[] {
    return [...this.records.values()];
  }

  entries(): [Id, T][] {
    return [...this.records.entries()];
  }

  /** Child names present (all of them for a names-only cache), in name order. */
  childNames(): Id[] {
    return [...this.names].sort() as Id[];
  }

  /** Children whose znode has empty data (skipped as records). */
  emptyChildren(): Id[] {
    return [...this.emptyNames].sort() as Id[];
  }

  /** Children whose data is not a valid record (skipped as records), with the decoder's reason. */
  malformedChildren(): ReadonlyMap<Id, string> {
    return this.malformedNames;
  }

  /** Reports a child whose data was read and found malformed (once per change of its data). */
  onMalformed(listener: (name: Id, reason: string) => void): () => void {
    this.malformedListeners.add(listener);
    return () => this.malformedListeners.delete(listener);
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

  /**
   * The child's record if the cache is known to be current: written by us under our lock, or
   * read with a data watch that has not fired since. ZooKeeper delivers a watch event before
   * any later reply, so a record still current when a lock attempt returns is the record as it
   * was when the lock was taken (zookeeper.md §3.4 step 7 without a second read).
   */
  current(id: Id): T | undefined {
    return this.ownWrites.has(id) || this.watching.has(id) ? this.records.get(id) : undefined;
  }

  /**
   * This process is about to write a child it holds locked. Called before the write is sent:
   * ZooKeeper delivers the write's own data event before its reply, and that event must not be
   * re-read.
   */
  writing(id: Id): void {
    if (!this.closed) this.ownWrites.add(id);
  }

  /** Takes `record` as a child's data, written by this process while it holds the child's lock. */
  wrote(id: Id, record: T): void {
    if (this.closed) return;
    this.ownWrites.add(id);
    this.emptyNames.delete(id);
    this.malformedNames.delete(id);
    this.present(id);
    this.setRecord(id, record);
  }

  /**
   * The lock of a child written through `wrote` was released: read it once to watch it again,
   * unless `watchAgain` is false (a record in a final state: only its removal matters, and the
   * directory's child watch reports that).
   */
  released(id: Id, watchAgain = true): void {
    if (!this.ownWrites.delete(id)) return;
    // A watch armed and not fired since our last write: its read, answered or not, re-arms it.
    if (watchAgain && this.names.has(id) && !this.armed.has(id)) this.load(id).catch((error: unknown) => this.fellBehind(this.childPath(id), error));
  }

  /** This process deleted the child: drop it now rather than when the directory is listed again. */
  deleted(id: Id): void {
    this.forget(id);
  }

  private childPath(name: string): string {
    return `${this.path}/${name}`;
  }

  /** After a session expiry: no watch nor lock survives, re-read everything. */
  private resync(): void {
    this.armed.clear();
    this.watching.clear();
    this.ownWrites.clear();
    this.childWatchArmed = false;
    void this.sync(true);
  }

  /** Lists the children (arming the child watch) and reconciles; serialised, coalescing repeats. */
  private sync(reloadAll = false): Promise<void> {
    if (this.syncing) {
      this.queuedReload = (this.queuedReload ?? false) || reloadAll;
      return this.syncing;
    }
    this.syncing = this.syncOnce(reloadAll)
      .catch((error: unknown) => this.fellBehind(this.path, error))
      .finally(() => {
        this.syncing = undefined;
        const again = this.queuedReload;
        this.queuedReload = undefined;
        if (again !== undefined && !this.closed) void this.sync(again);
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
      this.childWatchArmed = false;
      if (!(error instanceof NoNodeError)) throw error;
      if (this.options.create) {
        await this.client.ensurePath(this.path);
        return this.syncOnce(reloadAll);
      }
      // The directory does not exist yet: wait for its creation.
      const stat = await this.client.exists(this.path, () => void this.sync());
      if (stat !== null) return this.syncOnce(reloadAll);
      children = [];
    }
    const present = new Set(children.filter((name) => !this.options.skip?.(name)));
    for (const name of [...this.names]) if (!present.has(name)) this.forget(name);
    const loads: Promise<void>[] = [];
    for (const name of present) {
      const known = this.names.has(name);
      if (!known) this.present(name);
      // Children we hold are read again when released.
      const unwatched = reloadAll && !this.armed.has(name) && !this.ownWrites.has(name);
      if (this.options.decode && (!known || unwatched)) loads.push(this.load(name));
    }
    await Promise.all(loads);
  }

  private onChildEvent(): void {
    this.childWatchArmed = false;
    if (this.closed) return;
    void this.sync();
  }

  /** Reads one child, with a data watch unless one is armed, and records the result. */
  private async load(name: string): Promise<void> {
    const decode = this.options.decode;
    if (!decode || this.closed) return;
    const path = this.childPath(name);
    let watch = this.armed.get(name);
    const arming = watch === undefined;
    if (watch === undefined) {
      watch = ++this.watchSerial;
      this.armed.set(name, watch);
    }
    const serial = watch;
    let data: Buffer;
    try {
      data = (await this.client.get(path, arming ? (event: WatchEvent) => this.onDataEvent(name, serial, event) : undefined)).data;
    } catch (error) {
      if (arming && this.armed.get(name) === serial) this.armed.delete(name);
      if (error instanceof NoNodeError) return this.forget(name);
      throw error;
    }
    if (this.closed || !this.names.has(name)) return;
    // The watch this read relied on has not fired: what it read stays current until it does.
    if (this.armed.get(name) === serial) this.watching.add(name);
    // Written by us since this read was sent: ours is newer.
    if (this.ownWrites.has(name)) return;
    let record: T | "empty";
    try {
      record = decode(name, data, path);
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      // Logged once per change of its data, not on every look at the cache.
      this.options.log.warn({ path, err: error.message }, "skipping malformed record");
      this.malformedNames.set(name as Id, error.message);
      this.dropRecord(name as Id);
      for (const listener of this.malformedListeners) listener(name as Id, error.message);
      return;
    }
    this.malformedNames.delete(name as Id);
    if (record === "empty") {
      this.emptyNames.add(name);
      this.dropRecord(name as Id);
      return;
    }
    this.emptyNames.delete(name);
    this.setRecord(name as Id, record);
  }

  private onDataEvent(name: string, serial: number, event: WatchEvent): void {
    if (this.armed.get(name) === serial) this.armed.delete(name);
    this.watching.delete(name);
    if (this.closed) return;
    if (event.type === "deleted") {
      this.forget(name);
      return;
    }
    if (this.ownWrites.has(name)) return;
    this.load(name).catch((error: unknown) => this.fellBehind(event.path, error));
  }

  private fellBehind(path: string, error: unknown): void {
    if (this.closed) return;
    this.behind = true;
    this.options.log.warn({ path, err: error }, "cache read failed; catching up once reconnected");
  }

  private present(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    for (const listener of this.nameListeners) listener(name as Id, true);
  }

  private forget(name: string): void {
    this.ownWrites.delete(name);
    this.watching.delete(name);
    if (!this.names.delete(name)) return;
    this.emptyNames.delete(name);
    this.malformedNames.delete(name as Id);
    this.dropRecord(name as Id);
    for (const listener of this.nameListeners) listener(name as Id, false);
  }

  private setRecord(id: Id, record: T): void {
    const previous = this.records.get(id);
    this.records.set(id, record);
    this.emit(previous === undefined ? { kind: "added", id, record } : { kind: "updated", id, record, previous });
  }

  private dropRecord(id: Id): void {
    const previous = this.records.get(id);
    if (previous === undefined) return;
    this.records.delete(id);
    this.emit({ kind: "removed", id, previous });
  }

  private emit(change: CacheChange<T, Id>): void {
    for (const listener of this.listeners) listener(change);
  }
}
