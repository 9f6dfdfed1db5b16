/**
 * Watched children of one znode, with their decoded data, kept current by ZooKeeper watches:
 * the launcher's view of nodes, requests and launcher registrations (behaviour.md §2.21). A
 * child watch re-lists the directory; a data watch per child re-reads that child; every
 * change is reported to `onChange`. A new session re-reads everything (watches died with
 * the old one). Small by design: an adapter until the zk layer's caches serve the launcher.
 */
import type { Logger } from "../log.ts";
import type { WatchEvent, ZkClient } from "../zk/client.ts";
import { ClientClosedError, NoNodeError, SessionExpiredError } from "../zk/errors.ts";

/** A decoded child, "empty" for a data-less znode, or null to ignore it (malformed, not a record). */
export type Decode<T> = (name: string, data: Buffer, path: string) => T | "empty" | null;

export type ChangeKind = "added" | "changed" | "removed";

export class WatchedChildren<T> {
  private readonly values = new Map<string, T>();
  private readonly empties = new Set<string>();
  private readonly known = new Set<string>();
  /**
   * Children this process writes under their lock: their data events are not re-read (our own
   * writes fire them), and they are read once, re-arming the watch, when the lock is released.
   */
  private readonly ownWrites = new Set<string>();
  /** Children whose data watch is armed and has not fired since their last read. */
  private readonly watching = new Set<string>();
  private closed = false;
  private offSession: (() => void) | undefined;

  constructor(
    private readonly client: ZkClient,
    readonly path: string,
    private readonly decode: Decode<T>,
    private readonly onChange: (name: string, kind: ChangeKind) => void,
    private readonly log: Logger,
    /** Create the directory when missing (top-level directories); otherwise wait for it to appear. */
    private readonly create = true,
  ) {}

  async start(): Promise<void> {
    this.offSession = this.client.onSession(() => void this.resync());
    if (this.create) await this.client.ensurePath(this.path);
    await this.list();
  }

  close(): void {
    this.closed = true;
    this.offSession?.();
  }

  get(name: string): T | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  entries(): IterableIterator<[string, T]> {
    return this.values.entries();
  }

  /** The live map of decoded children (read-only; valid until the next turn of the event loop). */
  get map(): ReadonlyMap<string, T> {
    return this.values;
  }

  all(): IterableIterator<T> {
    return this.values.values();
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * This process is about to write a child it holds locked. Called before the write is sent:
   * ZooKeeper delivers the write's own data event before its reply, and that event must not be
   * re-read.
   */
  writing(name: string): void {
    if (!this.closed) this.ownWrites.add(name);
  }

  /**
   * Takes `value` as a child's data, written by this process while it holds the child's lock.
   * Nobody else writes a locked record (zookeeper.md §4), so until `released(name)` its data
   * events are not re-read.
   */
  wrote(name: string, value: T): void {
    if (this.closed) return;
    const fresh = !this.known.has(name);
    this.known.add(name);
    this.values.set(name, value);
    this.empties.delete(name);
    this.ownWrites.add(name);
    this.onChange(name, fresh ? "added" : "changed");
  }

  /**
   * The lock of a child written through `wrote` was released: read it once to watch it again,
   * unless `watchAgain` is false (a record in a final state: only its removal matters, and the
   * directory's child watch reports that).
   */
  released(name: string, watchAgain = true): void {
    if (!this.ownWrites.delete(name)) return;
    if (watchAgain && this.known.has(name) && !this.watching.has(name)) this.read(name, "changed").catch((error: unknown) => this.ignorable(error, `reading ${name}`));
  }

  /** This process deleted the child: drop it now rather than when the directory is listed again. */
  deleted(name: string): void {
    this.remove(name);
  }

  /**
   * The child's data if the cache is known to be current: written by us under our lock, or
   * read with a data watch that has not fired since. ZooKeeper delivers a watch event before
   * any later reply, so a value still current when a lock attempt returns is the record as it
   * was when the lock was taken (zookeeper.md §3.4 step 7 without a second read).
   */
  current(name: string): T | undefined {
    return this.ownWrites.has(name) || this.watching.has(name) ? this.values.get(name) : undefined;
  }

  /** Children whose znode has no data. */
  emptyNames(): string[] {
    return [...this.empties];
  }

  private async resync(): Promise<void> {
    if (this.closed) return;
    this.known.clear();
    // The old session's locks and watches are gone: read everything again.
    this.ownWrites.clear();
    this.watching.clear();
    try {
      if (this.create) await this.client.ensurePath(this.path);
      await this.list();
    } catch (error) {
      this.ignorable(error, "re-reading after a new session");
    }
  }

  private async list(): Promise<void> {
    if (this.closed) return;
    let children: string[];
    try {
      children = await this.client.getChildren(this.path, (event) => this.onChildren(event));
    } catch (error) {
      if (!(error instanceof NoNodeError) || this.create) throw error;
      // Not there (yet): list once it is created; never create it (zookeeper.md §3.9).
      if ((await this.client.exists(this.path, () => void this.list().catch((e: unknown) => this.ignorable(e, "listing")))) !== null) return this.list();
      for (const name of [...this.known]) this.remove(name);
      return;
    }
    const current = new Set(children);
    for (const name of [...this.known]) {
      if (!current.has(name)) this.remove(name);
    }
    await Promise.all(children.filter((name) => !this.known.has(name)).map((name) => this.read(name, "added")));
  }

  private onChildren(event: WatchEvent): void {
    if (this.closed) return;
    this.list().catch((error: unknown) => this.ignorable(error, "listing"));
  }

  private async read(name: string, kind: ChangeKind): Promise<void> {
    if (this.closed) return;
    this.known.add(name);
    const path = `${this.path}/${name}`;
    let data: Buffer;
    try {
      data = (await this.client.get(path, (event) => this.onData(name, event))).data;
    } catch (error) {
      if (error instanceof NoNodeError) return this.remove(name);
      throw error;
    }
    this.watching.add(name);
    // Written by us since this read was sent: ours is newer (read again on release).
    if (this.ownWrites.has(name)) return;
    const decoded = this.decodeSafely(name, data, path);
    this.empties.delete(name);
    if (decoded === "empty") {
      this.empties.add(name);
      this.values.delete(name);
    } else if (decoded === null) {
      this.values.delete(name);
    } else {
      this.values.set(name, decoded);
    }
    this.onChange(name, kind);
  }

  private decodeSafely(name: string, data: Buffer, path: string): T | "empty" | null {
    try {
      return this.decode(name, data, path);
    } catch (error) {
      this.log.warn({ err: error, path }, "skipping a record that cannot be read");
      return null;
    }
  }

  private onData(name: string, event: WatchEvent): void {
    if (this.closed) return;
    this.watching.delete(name);
    if (event.type === "deleted") return this.remove(name);
    if (this.ownWrites.has(name)) return;
    this.read(name, "changed").catch((error: unknown) => this.ignorable(error, `reading ${name}`));
  }

  private remove(name: string): void {
    this.ownWrites.delete(name);
    this.watching.delete(name);
    const had = this.known.delete(name);
    this.values.delete(name);
    this.empties.delete(name);
    if (had) this.onChange(name, "removed");
  }

  private ignorable(error: unknown, what: string): void {
    if (this.closed || error instanceof ClientClosedError || error instanceof SessionExpiredError) return;
    this.log.warn({ err: error, path: this.path }, `watch cache: ${what} failed`);
  }
}
