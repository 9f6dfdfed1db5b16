import { randomUUID } from "node:crypto";
import { baseName, parentPath, type ConnectionState, type MultiOp, type MultiResults, type ZkClient } from "./client.ts";
import { ConnectionLossError, LockLostError, MultiOpError, NoNodeError, NodeExistsError, RecordGoneError, SessionExpiredError } from "./errors.ts";

/**
 * kazoo's exclusive Lock recipe (spec/zookeeper.md §3): contenders `<hex32>__lock__<seq10>`
 * (ephemeral sequential) in the lock directory; the lowest sequence holds; a waiter watches its
 * immediate predecessor and re-evaluates on every change; a non-blocking attempt that does not
 * win deletes its contender at once. A kazoo process and this code therefore exclude each other.
 */

/** How a missing lock directory is created before the first contender. */
export type LockDirectoryPolicy =
  /** kazoo's make-path: every missing ancestor (request locks, image build lock, election). */
  | { readonly kind: "make-path" }
  /**
   * Create directories below `floor` only; a missing `floor` means the record is gone (node and
   * build locks: never re-create a deleted record as an empty znode, §3.9).
   */
  | { readonly kind: "below"; readonly floor: string };

export interface LockOptions {
  /** Contender data: empty for node/request/image locks, `<hostname>-<pid>` for the election. */
  readonly identifier?: string;
  readonly directory: LockDirectoryPolicy;
}

export interface AcquireOptions {
  /** false: one attempt, leaving no contender behind when the lock is busy. Default true. */
  readonly blocking?: boolean;
  /** Blocking only: give up after this long (the contender is removed). Default: wait forever. */
  readonly timeoutMs?: number;
  /** Blocking only: cancel the wait (the contender is removed). */
  readonly signal?: AbortSignal;
}

const CONTENDER = /__lock__(-?\d{10})$/;

/** Contender names of a lock directory in holding order (lowest sequence first); others are ignored. */
export function sortContenders(children: readonly string[]): string[] {
  const contenders: { name: string; seq: string }[] = [];
  for (const name of children) {
    const match = CONTENDER.exec(name);
    if (match?.[1] !== undefined) contenders.push({ name, seq: match[1] });
  }
  contenders.sort((a, b) => Number(a.seq) - Number(b.seq));
  return contenders.map((c) => c.name);
}

export class ZkLock {
  readonly path: string;
  private readonly client: ZkClient;
  private readonly options: LockOptions;
  private readonly prefix: string;
  private contender: string | undefined;
  private heldFlag = false;
  private lostFlag = false;
  private readonly lostListeners = new Set<(error: LockLostError) => void>();
  private offState: (() => void) | undefined;

  constructor(client: ZkClient, path: string, options: LockOptions) {
    this.client = client;
    this.path = path;
    this.options = options;
    this.prefix = `${randomUUID().replace(/-/g, "")}__lock__`;
  }

  /** True while this lock is held and its session is alive. */
  get held(): boolean {
    return this.heldFlag && !this.lostFlag;
  }

  /** True once a held lock was lost with its session: stop writing what it protected. */
  get lost(): boolean {
    return this.lostFlag;
  }

  /** Name of our contender znode (for tests and diagnostics). */
  get contenderName(): string | undefined {
    return this.contender === undefined ? undefined : baseName(this.contender);
  }

  /** Throws LockLostError unless the lock is held: call before every write it protects. */
  assertHeld(): void {
    if (!this.held) throw new LockLostError(`lock ${this.path} is no longer held; not acting on what it protects`, this.path);
  }

  /** Called once if the held lock is lost (session expiry). Returns the unsubscribe function. */
  onLost(listener: (error: LockLostError) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /**
   * Takes the lock. Returns false when a non-blocking attempt finds it busy or a blocking one
   * times out; in both cases no contender of ours is left. Throws RecordGoneError when the
   * record a "below" lock protects is missing, SessionExpiredError when the session ends while
   * waiting. A lock object is used for one acquisition at a time.
   */
  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    if (this.heldFlag) throw new Error(`lock ${this.path} is already held by this object`);
    const blocking = options.blocking ?? true;
    const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    this.lostFlag = false;
    this.offState = this.client.onState((state) => this.onClientState(state));
    try {
      await this.createContender();
      // Sequence 0 means no child was ever created or deleted in this directory before ours:
      // nobody can precede us, so the listing can be skipped (one request less per fresh lock).
      if (this.contender?.endsWith("__lock__0000000000")) {
        this.heldFlag = true;
        return true;
      }
      for (;;) {
        const contenders = sortContenders(await this.client.getChildren(this.path));
        const own = contenders.indexOf(baseName(this.contender ?? ""));
        if (own < 0) {
          // Our contender vanished (deleted by a third party): take a new place, as kazoo does.
          this.contender = undefined;
          await this.createContender();
          continue;
        }
        if (own === 0) {
          this.heldFlag = true;
          return true;
        }
        if (!blocking) {
          await this.withdraw();
          return false;
        }
        const predecessor = `${this.path}/${contenders[own - 1] ?? ""}`;
        const outcome = await this.waitForChange(predecessor, deadline, options.signal);
        if (outcome === "timeout" || outcome === "aborted") {
          await this.withdraw();
          return false;
        }
      }
    } catch (error) {
      await this.withdraw().catch(() => undefined);
      throw error;
    } finally {
      if (!this.heldFlag) this.detach();
    }
  }

  /**
   * Takes a lock whose directory does not exist yet (a new request or node) together with the
   * writes it protects, in one transaction: creating the directory proves that nobody holds or
   * waits for the lock, so our contender comes first. Returns the writes' results, or null
   * when the directory (or its parent) is not as expected: take the lock with acquire() then.
   * A write refused by ZooKeeper throws its MultiOpError, and nothing was changed.
   */
  async acquireFresh<const T extends readonly MultiOp[]>(writes: T): Promise<MultiResults<T> | null> {
    if (this.heldFlag) throw new Error(`lock ${this.path} is already held by this object`);
    this.lostFlag = false;
    this.offState = this.client.onState((state) => this.onClientState(state));
    const contender = `${this.path}/${this.prefix}`;
    try {
      const [, created, ...results] = await this.client.multi([
        { op: "create", path: this.path },
        { op: "create", path: contender, data: this.options.identifier ?? "", mode: "ephemeral-sequential" },
        ...writes,
      ] as const);
      this.contender = created.path;
      this.heldFlag = true;
      return results as unknown as MultiResults<T>;
    } catch (error) {
      if (error instanceof MultiOpError && error.index === 0 && (error.cause instanceof NodeExistsError || error.cause instanceof NoNodeError)) return null;
      if (error instanceof ConnectionLossError) {
        // Applied or not, unknown: a contender of ours means it was (all or nothing). Withdraw
        // it; the writes stay, and the caller's next pass sees them.
        await this.client.waitConnected(this.client.sessionTimeoutMs).catch(() => undefined);
        this.contender = await this.findOwnContender().catch(() => undefined);
        await this.withdraw().catch(() => undefined);
      }
      throw error;
    } finally {
      if (!this.heldFlag) this.detach();
    }
  }

  /**
   * The op that releases this lock inside a transaction with the writes it protected (a
   * request's fulfilment); undefined when there is no contender to delete. Once the
   * transaction committed, call `releasedWith()`.
   */
  get releaseOp(): MultiOp | undefined {
    return this.contender === undefined || this.lostFlag ? undefined : { op: "delete", path: this.contender };
  }

  /** A transaction with `releaseOp` committed: the lock is released. */
  releasedWith(): void {
    this.heldFlag = false;
    this.detach();
    this.contender = undefined;
  }

  /** Releases the lock by deleting our contender; the lock directory stays (§3.5). */
  async release(): Promise<void> {
    const wasLost = this.lostFlag;
    this.heldFlag = false;
    this.detach();
    if (!wasLost) await this.withdraw();
    this.contender = undefined;
  }

  private detach(): void {
    this.offState?.();
    this.offState = undefined;
  }

  private onClientState(state: ConnectionState): void {
    if (state !== "expired" && state !== "closed") return;
    // The session that owned our contender is gone, and with it the lock (§3.7).
    this.contender = undefined;
    if (!this.heldFlag || this.lostFlag) return;
    this.lostFlag = true;
    const error = new LockLostError(`lock ${this.path} lost with the ZooKeeper session`, this.path);
    for (const listener of this.lostListeners) listener(error);
  }

  /** Deletes our contender if we have one; a missing one is fine. */
  private async withdraw(): Promise<void> {
    const contender = this.contender;
    this.contender = undefined;
    if (contender === undefined) return;
    try {
      await this.client.delete(contender);
    } catch (error) {
      if (!(error instanceof NoNodeError) && !(error instanceof SessionExpiredError)) throw error;
    }
  }

  private async createContender(): Promise<void> {
    const data = this.options.identifier ?? "";
    let ensured = false;
    for (let attempt = 0; ; attempt++) {
      try {
        this.contender = await this.client.create(`${this.path}/${this.prefix}`, data, "ephemeral-sequential");
        return;
      } catch (error) {
        // Once, even after a lost connection: a retried create finds the directory missing too.
        if (error instanceof NoNodeError && !ensured) {
          ensured = true;
          await this.ensureDirectory();
          continue;
        }
        if (error instanceof ConnectionLossError && attempt < 5) {
          // The create may have happened without us hearing back: adopt it rather than leave
          // an orphan contender that blocks everyone until the session ends (§3.6).
          await this.client.waitConnected(this.client.sessionTimeoutMs);
          const adopted = await this.findOwnContender();
          if (adopted !== undefined) {
            this.contender = adopted;
            return;
          }
          continue;
        }
        throw error;
      }
    }
  }

  /** Our contender's path, if the directory holds one; a missing directory holds none (kazoo's _find_node). */
  private async findOwnContender(): Promise<string | undefined> {
    let children: string[];
    try {
      children = await this.client.getChildren(this.path);
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
    const name = children.find((child) => child.startsWith(this.prefix));
    return name === undefined ? undefined : `${this.path}/${name}`;
  }

  private async ensureDirectory(): Promise<void> {
    const policy = this.options.directory;
    if (policy.kind === "make-path") {
      await this.client.ensurePath(this.path);
      return;
    }
    await this.ensureBelow(this.path, policy.floor);
  }

  private async ensureBelow(path: string, floor: string): Promise<void> {
    if (path === floor) {
      if ((await this.client.exists(floor)) === null) throw new RecordGoneError(`${floor} no longer exists`, floor);
      return;
    }
    try {
      await this.client.create(path);
    } catch (error) {
      if (error instanceof NodeExistsError) return;
      if (!(error instanceof NoNodeError)) throw error;
      await this.ensureBelow(parentPath(path), floor);
      try {
        await this.client.create(path);
      } catch (again) {
        if (again instanceof NoNodeError) throw new RecordGoneError(`${floor} no longer exists`, floor);
        if (!(again instanceof NodeExistsError)) throw again;
      }
    }
  }

  private waitForChange(predecessor: string, deadline: number | undefined, signal: AbortSignal | undefined): Promise<"changed" | "timeout" | "aborted"> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        offState();
        signal?.removeEventListener("abort", onAbort);
        return true;
      };
      const finish = (outcome: "changed" | "timeout" | "aborted"): void => {
        if (settle()) resolve(outcome);
      };
      const fail = (error: unknown): void => {
        if (settle()) reject(error);
      };
      const onAbort = (): void => finish("aborted");
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      const timer = remaining === undefined ? undefined : setTimeout(() => finish("timeout"), remaining);
      const offState = this.client.onState((state) => {
        if (state === "connected") finish("changed");
        else if (state === "expired" || state === "closed") {
          fail(new SessionExpiredError(`ZooKeeper session ended while waiting for lock ${this.path}`, this.path));
        }
      });
      if (signal?.aborted) return finish("aborted");
      signal?.addEventListener("abort", onAbort);
      this.client.exists(predecessor, () => finish("changed")).then((stat) => {
        if (stat === null) finish("changed");
      }, fail);
    });
  }
}
