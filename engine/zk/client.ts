import { EventEmitter } from "node:events";
import ZooKeeper from "zookeeper";
import { createLogger, type Logger } from "../log.ts";
import {
  ClientClosedError,
  ConnectionLossError,
  MultiOpError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  SessionExpiredError,
  ZkAddonError,
  ZkConfigError,
  ZkUnavailableError,
  ZRC,
  errorForCode,
  type ZkError,
} from "./errors.ts";

/**
 * The ZooKeeper client: a small promise wrapper over the npm `zookeeper` package (the C client)
 * that adds typed errors, an operation counter, and session handling as spec/zookeeper.md §3.7
 * requires. A session expiry (or a disconnection longer than the session timeout) is reported
 * as `expired` — every lock and ephemeral node of this client is gone — and the client opens a
 * new session with backoff, reporting `session` when it is up, so locks are re-taken and caches
 * re-sync.
 */

export type CreateMode = "persistent" | "ephemeral" | "persistent-sequential" | "ephemeral-sequential";

/**
 * One op of a multi-op transaction (`ZkClient.multi`). A version of -1 (the default where it is
 * optional) matches any version; `check` only asserts the znode's version.
 */
export type MultiOp =
  | { readonly op: "create"; readonly path: string; readonly data?: Buffer | string; readonly mode?: CreateMode }
  | { readonly op: "delete"; readonly path: string; readonly version?: number }
  | { readonly op: "set"; readonly path: string; readonly data: Buffer | string; readonly version?: number }
  | { readonly op: "check"; readonly path: string; readonly version: number };

/** What an op of a committed transaction gave: a create the znode's path (sequence suffix included), a set the new Stat. */
export type MultiResult<O extends MultiOp = MultiOp> = O extends { readonly op: "create" }
  ? { readonly op: "create"; readonly path: string }
  : O extends { readonly op: "set" }
    ? { readonly op: "set"; readonly stat: Stat }
    : O extends { readonly op: "delete" }
      ? { readonly op: "delete" }
      : { readonly op: "check" };

/** The results of `multi(ops)`, one per op and typed by it. */
export type MultiResults<T extends readonly MultiOp[]> = { -readonly [K in keyof T]: MultiResult<T[K]> };

/**
 * Told of every answered request (`call`-style: one operation each; bulk reads and
 * transactions included): its kind (`get`, `multi`, ...), seconds from send to answer, and
 * whether ZooKeeper answered with success. For latency metrics.
 */
export type OperationObserver = (op: string, seconds: number, ok: boolean) => void;

/** The connection as the rest of the engine sees it. `suspended`: disconnected, session maybe alive. */
export type ConnectionState = "connecting" | "connected" | "suspended" | "expired" | "closed";

export interface Stat {
  readonly czxid: number;
  readonly mzxid: number;
  readonly pzxid: number;
  readonly ctime: Date;
  readonly mtime: Date;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  /** Session id (hex) owning an ephemeral znode; "0" for persistent ones. */
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

export type WatchEventType = "created" | "deleted" | "changed" | "child";
export interface WatchEvent {
  readonly type: WatchEventType;
  readonly path: string;
}
/** Called at most once, when the watched znode changes. Session changes are reported by `onState`. */
export type Watcher = (event: WatchEvent) => void;

export interface ZkAuth {
  /** Only "digest" is used by Nodepool deployments. */
  readonly scheme: string;
  /** For digest: "user:password". */
  readonly credential: string;
}

export interface ZkClientOptions {
  /** `host:port[,host:port][/chroot]`. A missing chroot is created on first connection unless `createChroot` is false. */
  readonly hosts: string;
  /**
   * False for a client that only reads (the CLI's listings): a missing chroot is left missing
   * and reads as an empty tree, so a mistyped `--zookeeper host:port/chroot` creates nothing.
   */
  readonly createChroot?: boolean;
  /** Session timeout; Python Nodepool and Zuul use 10 s. */
  readonly sessionTimeoutMs?: number;
  /**
   * How long `connect` waits for the first connection before failing with ZkUnavailableError.
   * Omit for daemons: they wait forever, logging a warning at most every 10 s.
   */
  readonly connectTimeoutMs?: number;
  readonly auth?: readonly ZkAuth[];
  readonly logger?: Logger;
}

type Rc = number;
type StringCb = (rc: Rc, error: string, value: string) => void;
type StatCb = (rc: Rc, error: string, stat: Stat | null) => void;
type DataCb = (rc: Rc, error: string, stat: Stat | null, data: Buffer | null) => void;
type ChildrenCb = (rc: Rc, error: string, children: string[] | null) => void;
type Children2Cb = (rc: Rc, error: string, children: string[] | null, stat: Stat | null) => void;
type VoidCb = (rc: Rc, error: string) => void;
type NativeWatchCb = (type: number, state: number, path: string) => void;
/** A multi op as the addon's a_multi (patches/zookeeper-multi.patch) takes it. */
type NativeMultiOp =
  | { type: "create"; path: string; data: Buffer; flags: number }
  | { type: "delete" | "check"; path: string; version: number }
  | { type: "set"; path: string; data: Buffer; version: number };
/** Per op: its rc; when the transaction committed, a create's path or a set's stat. */
interface NativeMultiResult {
  readonly rc: Rc;
  readonly path?: string;
  readonly stat?: Stat;
}
type MultiCb = (rc: Rc, error: string, results: NativeMultiResult[]) => void;

/**
 * The part of the `zookeeper` package this wrapper uses (its typings are `any`): the handle's
 * lifecycle and events, and the addon's own request methods (`native`), called directly because
 * the package's JS layer formats a debug string with util.inspect on every request.
 */
interface NativeHandle {
  init(config: object): unknown;
  close(): unknown;
  on(event: "connect" | "connecting", listener: () => void): unknown;
  on(event: "close", listener: (handle: unknown, code: number) => void): unknown;
  readonly client_id: string;
  readonly client_password: string;
  readonly timeout: number;
  readonly native: NativeOps;
}

/** Request methods of the addon; data always comes back as a Buffer (or null). */
interface NativeOps {
  a_create(path: string, data: Buffer, flags: number, cb: StringCb): Rc;
  a_exists(path: string, watch: boolean, cb: StatCb): Rc;
  aw_exists(path: string, watcher: NativeWatchCb, cb: StatCb): Rc;
  a_get(path: string, watch: boolean, cb: DataCb): Rc;
  aw_get(path: string, watcher: NativeWatchCb, cb: DataCb): Rc;
  a_get_children(path: string, watch: boolean, cb: ChildrenCb): Rc;
  aw_get_children(path: string, watcher: NativeWatchCb, cb: ChildrenCb): Rc;
  a_get_children2(path: string, watch: boolean, cb: Children2Cb): Rc;
  a_set(path: string, data: Buffer, version: number, cb: StatCb): Rc;
  a_delete_(path: string, version: number, cb: VoidCb): Rc;
  a_multi(ops: readonly NativeMultiOp[], cb: MultiCb): Rc;
  a_sync(path: string, cb: VoidCb): Rc;
  add_auth(scheme: string, auth: string, cb: VoidCb): Rc;
}

const FLAG_EPHEMERAL = 1;
const FLAG_SEQUENCE = 2;
const MODE_FLAGS: Record<CreateMode, number> = {
  persistent: 0,
  ephemeral: FLAG_EPHEMERAL,
  "persistent-sequential": FLAG_SEQUENCE,
  "ephemeral-sequential": FLAG_EPHEMERAL | FLAG_SEQUENCE,
};
const WATCH_TYPES: Record<number, WatchEventType> = { 1: "created", 2: "deleted", 3: "changed", 4: "child" };
const EXPIRED_CLOSE_CODE = -112;
const AUTH_FAILED_CLOSE_CODE = -113;
/** Shortest time between two resolutions of the server names by the C client. */
const RESOLUTION_DELAY_MS = 10_000;
/** How long a handle may try to (re)connect before it is replaced by a new one. */
const STALL_MS = 2_000;
/** Return codes above this are the C client's system errors (connection, marshalling), not an op's. */
const ZAPI_ERROR = -100;

interface SessionCredentials {
  readonly clientId: string;
  readonly password: string;
}
const EMPTY = Buffer.alloc(0);

/** Splits `h1:p1,h2:p2/chroot` into the server list and the chroot ("" when none). */
export function splitHosts(hosts: string): { servers: string; chroot: string } {
  const slash = hosts.indexOf("/");
  if (slash < 0) return { servers: hosts, chroot: "" };
  const chroot = hosts.slice(slash).replace(/\/+$/, "");
  return { servers: hosts.slice(0, slash), chroot };
}

/** The parent of a znode path ("/" for top-level znodes). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** The last segment of a znode path: ids are always taken from here. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

interface ClientEvents {
  state: [ConnectionState];
  /** A session is established, or resumed on a new connection: watches must be set again. */
  session: [sessionId: string];
}

export class ZkClient {
  readonly chroot: string;
  readonly log: Logger;
  private readonly options: ZkClientOptions;
  private readonly events = new EventEmitter<ClientEvents>();
  private handle: NativeHandle | undefined;
  private currentState: ConnectionState = "connecting";
  private currentSession = "";
  /** The handle on which the current session was established or last resumed. */
  private sessionHandle: NativeHandle | undefined;
  private sessionPassword = "";
  private sessionTimeout = 10_000;
  /** Bounds a suspension: after a whole session timeout without contact the session is gone. */
  private suspendTimer: NodeJS.Timeout | undefined;
  /** Replaces a handle that does not get connected in time (see replaceHandle). */
  private stallTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private waitingWarning: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private lastFailure = "";
  private operations = 0;
  private operationObserver: OperationObserver | undefined;
  private serverList: string;

  private constructor(options: ZkClientOptions) {
    this.options = options;
    const split = splitHosts(options.hosts);
    this.serverList = split.servers;
    this.chroot = split.chroot;
    this.log = options.logger ?? createLogger({ name: "zookeeper" });
    // Every held or waiting lock listens for the session's end: a busy launcher holds thousands.
    this.events.setMaxListeners(0);
  }

  /**
   * Connects and waits for the first session; creates the chroot when it is missing (unless
   * `createChroot` is false). Without `connectTimeoutMs` it waits for ZooKeeper forever,
   * logging a warning every 10 s.
   */
  static async connect(options: ZkClientOptions): Promise<ZkClient> {
    if (options.createChroot !== false && splitHosts(options.hosts).chroot !== "") await ensureChroot(options);
    const client = new ZkClient(options);
    client.startHandle();
    // Checked here rather than met as a TypeError at the first transaction, mid-pass.
    if (typeof client.handle?.native.a_multi !== "function") {
      client.close();
      throw new ZkAddonError(
        "the zookeeper addon has no transaction call (a_multi, added by patches/zookeeper-multi.patch): it was built without the project's patches; run scripts/setup.sh in the checkout to rebuild it",
      );
    }
    try {
      await client.waitConnected(options.connectTimeoutMs);
    } catch (error) {
      const failure = client.lastFailure;
      client.close();
      if (!(error instanceof ConnectionLossError)) throw error;
      const seconds = ((options.connectTimeoutMs ?? 0) / 1000).toFixed(1);
      throw new ZkUnavailableError(`could not connect to ZooKeeper at ${client.servers} within ${seconds} s; ${failure || "is it running?"}`);
    }
    return client;
  }

  /** The servers (`host:port,...`) this client connects to. */
  get servers(): string {
    return this.serverList;
  }

  /** The connect string: servers and chroot. */
  get hosts(): string {
    return `${this.serverList}${this.chroot}`;
  }

  /**
   * Moves to another server list (a changed `zookeeper-servers`, behaviour.md §8.4) keeping the
   * session, as kazoo's set_hosts does: the current connection is replaced by one to the new
   * servers that resumes the session, so locks and ephemeral nodes survive when the new list
   * serves the same ensemble; a new ensemble ends the session, which is handled as any expiry.
   * The chroot cannot change under a running client.
   */
  setServers(hosts: string): void {
    const next = splitHosts(hosts);
    if (next.chroot !== this.chroot) {
      throw new ZkConfigError(`the ZooKeeper chroot cannot change while running (${this.chroot || "/"} → ${next.chroot || "/"}); restart to use ${hosts}`);
    }
    if (next.servers === this.serverList || this.currentState === "closed") return;
    this.log.info({ from: this.serverList, to: next.servers }, "switching ZooKeeper servers");
    this.serverList = next.servers;
    if (this.handle) this.replaceHandle();
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The current session id (hex), "" while none is established. */
  get sessionId(): string {
    return this.currentSession;
  }

  /** The negotiated session timeout: how long a silent session survives on the servers. */
  get sessionTimeoutMs(): number {
    return this.sessionTimeout;
  }

  /** ZooKeeper requests sent by this client since it was created (reads, writes, watches). */
  get operationCount(): number {
    return this.operations;
  }

  /** Times every request from now on (one observer; undefined stops it). */
  observeOperations(observer: OperationObserver | undefined): void {
    this.operationObserver = observer;
  }

  /**
   * Ends this client's current session from the server side, exactly as an expiry would: a
   * second connection joins the session with its credentials and closes it. For failover
   * tests; every party then sees this client's ephemerals and locks vanish. Resolves once this
   * client has noticed (state `expired`).
   */
  async expireSessionForTest(): Promise<void> {
    const session = this.currentSession;
    for (let attempt = 0; attempt < 5 && session !== "" && this.currentSession === session; attempt++) {
      const twin = new ZooKeeper({
        connect: `${this.servers}${this.chroot}`,
        timeout: this.sessionTimeout,
        debug_level: 0,
        client_id: session,
        client_password: this.sessionPassword,
      }) as unknown as NativeHandle;
      // The addon can stall on a connect; a twin that has not joined within 5 s is dropped and
      // the next attempt opens another, so a test never hangs here.
      const joined = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        twin.on("connect", () => {
          clearTimeout(timer);
          resolve(true);
        });
        twin.init({});
      });
      twin.close();
      if (!joined) continue;
      // If our own handle took the session back before the twin's close arrived, the close
      // went nowhere: try again.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 3_000);
        const off = this.onState((state) => {
          if (state === "expired") done();
        });
        function done(): void {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  /** Subscribes to connection state changes; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.events.on("state", listener);
    return () => this.events.off("state", listener);
  }

  /**
   * Subscribes to "a session is established or resumed on a new connection" (the first one, a
   * replacement after expiry, or a failover): every watch must be set again. Locks survive a
   * resume and are lost only with `expired`. Returns the unsubscribe function.
   */
  onSession(listener: (sessionId: string) => void): () => void {
    this.events.on("session", listener);
    return () => this.events.off("session", listener);
  }

  /** Resolves when the client is connected (immediately if it is), rejects once it is closed. */
  async waitConnected(timeoutMs?: number): Promise<void> {
    if (this.currentState === "connected") return;
    if (this.currentState === "closed") throw new ClientClosedError("the ZooKeeper client is closed");
    await new Promise<void>((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        off();
        reject(new ConnectionLossError(`not connected to ZooKeeper at ${this.servers} after ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onState((state) => {
        if (state === "connected") {
          off();
          clearTimeout(timer);
          resolve();
        } else if (state === "closed") {
          off();
          clearTimeout(timer);
          reject(new ClientClosedError("the ZooKeeper client is closed"));
        }
      });
    });
  }

  close(): void {
    if (this.currentState === "closed") return;
    for (const timer of [this.suspendTimer, this.stallTimer, this.reconnectTimer, this.waitingWarning]) clearTimeout(timer);
    const handle = this.handle;
    this.handle = undefined;
    this.setState("closed");
    handle?.close();
    this.events.removeAllListeners();
  }

  async create(path: string, data: Buffer | string = EMPTY, mode: CreateMode = "persistent"): Promise<string> {
    return this.call<string>("create", path, (h, done) =>
      h.a_create(path, toBuffer(data), MODE_FLAGS[mode], (rc, _e, value) => done(rc, value)),
    );
  }

  async get(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat }> {
    return this.call("get", path, (h, done) => {
      const cb: DataCb = (rc, _e, stat, data) => done(rc, { data: data ?? EMPTY, stat: stat as Stat });
      return watcher ? h.aw_get(path, this.wrapWatcher(watcher), cb) : h.a_get(path, false, cb);
    });
  }

  /** The znode's stat, or null when it does not exist (a watcher then fires on creation). */
  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    return this.call("exists", path, (h, done) => {
      const cb: StatCb = (rc, _e, stat) => done(rc === ZRC.noNode ? ZRC.ok : rc, rc === ZRC.noNode ? null : stat);
      return watcher ? h.aw_exists(path, this.wrapWatcher(watcher), cb) : h.a_exists(path, false, cb);
    });
  }

  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    return this.call("get_children", path, (h, done) => {
      const cb: ChildrenCb = (rc, _e, children) => done(rc, children ?? []);
      return watcher ? h.aw_get_children(path, this.wrapWatcher(watcher), cb) : h.a_get_children(path, false, cb);
    });
  }

  async getChildrenWithStat(path: string): Promise<{ children: string[]; stat: Stat }> {
    return this.call("get_children", path, (h, done) =>
      h.a_get_children2(path, false, (rc, _e, children, stat) => done(rc, { children: children ?? [], stat: stat as Stat })),
    );
  }

  /** Overwrites the data; `version` -1 (the default) is the unconditional write every Python party uses. */
  async set(path: string, data: Buffer | string, version = -1): Promise<Stat> {
    return this.call("set", path, (h, done) => h.a_set(path, toBuffer(data), version, (rc, _e, stat) => done(rc, stat as Stat)));
  }

  async delete(path: string, version = -1): Promise<void> {
    return this.call("delete", path, (h, done) => h.a_delete_(path, version, (rc) => done(rc, undefined)));
  }

  /** Waits until this client's server has caught up with the leader for `path`. */
  async sync(path: string): Promise<void> {
    return this.call("sync", path, (h, done) => h.a_sync(path, (rc) => done(rc, undefined)));
  }

  /**
   * "Make path": creates each missing ancestor and `path` itself as persistent znodes with
   * empty data, ignoring ones that already exist (spec §0.2). Tries the full path first so
   * the common case (parents exist) costs one operation.
   */
  async ensurePath(path: string): Promise<void> {
    if (path === "/" || path === "") return;
    try {
      await this.create(path);
    } catch (error) {
      if (error instanceof NodeExistsError) return;
      if (!(error instanceof NoNodeError)) throw error;
      await this.ensurePath(parentPath(path));
      try {
        await this.create(path);
      } catch (again) {
        if (!(again instanceof NodeExistsError)) throw again;
      }
    }
  }

  /** Creates `path`, making its missing ancestors first (kazoo's `makepath=True`). */
  async createWithParents(path: string, data: Buffer | string, mode: CreateMode): Promise<string> {
    try {
      return await this.create(path, data, mode);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      await this.ensurePath(parentPath(path));
      return this.create(path, data, mode);
    }
  }

  /** Deletes `path` and everything below it, children first; missing znodes are fine. */
  async deleteRecursive(path: string): Promise<void> {
    let children: string[];
    try {
      children = await this.getChildren(path);
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    await Promise.all(children.map((child) => this.deleteRecursive(`${path === "/" ? "" : path}/${child}`)));
    try {
      await this.delete(path);
    } catch (error) {
      if (error instanceof NoNodeError) return;
      // A child appeared meanwhile (a lock contender): go round again.
      if (error instanceof NotEmptyError) return this.deleteRecursive(path);
      throw error;
    }
  }

  /**
   * Reads the data of many znodes under one promise, for listings of thousands of records:
   * `get` per znode costs a promise and its closures each, which at 10,000 znodes is most of
   * the client's time. Answers come in the order of `paths`, null for a znode that does not
   * exist; any other failure rejects the whole read. Every request is sent at once: what the
   * server does not take yet waits in the C client's queue, and measured against windows of
   * 1,000 or 5,000 in flight this costs the client about a tenth less.
   */
  async getMany(paths: readonly string[]): Promise<({ data: Buffer; stat: Stat } | null)[]> {
    return this.bulk("get", paths, (h, path, done) =>
      h.a_get(path, false, (rc, _e, stat, data) => done(rc, rc === ZRC.ok ? { data: data ?? EMPTY, stat: stat as Stat } : null)),
    );
  }

  /** The children of many znodes under one promise (see getMany); null where a znode does not exist. */
  async getChildrenMany(paths: readonly string[]): Promise<(string[] | null)[]> {
    return this.bulk("get_children", paths, (h, path, done) => h.a_get_children(path, false, (rc, _e, children) => done(rc, rc === ZRC.ok ? (children ?? []) : null)));
  }

  private bulk<T>(op: string, paths: readonly string[], send: (h: NativeOps, path: string, done: (rc: Rc, value: T | null) => void) => Rc): Promise<(T | null)[]> {
    const results = new Array<T | null>(paths.length).fill(null);
    if (paths.length === 0) return Promise.resolve(results);
    return new Promise((resolve, reject) => {
      let answered = 0;
      let failed = false;
      const fail = (error: ZkError): void => {
        failed = true;
        reject(error);
      };
      for (let index = 0; index < paths.length && !failed; index++) {
        const handle = this.handle;
        const path = paths[index] as string;
        if (this.currentState === "closed") return fail(new ClientClosedError(`${op} ${path}: the ZooKeeper client is closed`));
        if (!handle) {
          const error = this.currentState === "suspended" ? ConnectionLossError : SessionExpiredError;
          return fail(new error(`${op} ${path}: not connected to ZooKeeper (reconnecting)`, path));
        }
        this.operations++;
        const observer = this.operationObserver;
        const started = observer ? performance.now() : 0;
        const rc = send(handle.native, path, (code, value) => {
          observer?.(op, (performance.now() - started) / 1000, code === ZRC.ok || code === ZRC.noNode);
          if (failed) return;
          if (code !== ZRC.ok && code !== ZRC.noNode) return fail(errorForCode(code, op, path));
          results[index] = value;
          if (++answered === paths.length) resolve(results);
        });
        // A request the C client refuses up front never calls back.
        if (rc !== ZRC.ok) fail(errorForCode(rc, op, path));
      }
    });
  }

  /**
   * Applies `ops` as one transaction (ZooKeeper's multi, one request and one operation of the
   * counter): all of them or none. Resolves to one result per op, typed by it. Rejects with
   * MultiOpError (its `index` and `cause`, the op's typed error) when the server refused an op;
   * a lost connection or session rejects with ConnectionLossError or SessionExpiredError as the
   * other requests do (a lost connection leaves the outcome unknown).
   */
  async multi<const T extends readonly MultiOp[]>(ops: T): Promise<MultiResults<T>> {
    const native = ops.map(nativeMultiOp);
    const where = ops.length > 1 ? `${ops[0]?.path} and ${ops.length - 1} more op${ops.length > 2 ? "s" : ""}` : (ops[0]?.path ?? "/");
    const { rc, results } = await this.call("multi", where, (h, done: (rc: Rc, value: { rc: Rc; results: NativeMultiResult[] }) => void) =>
      h.a_multi(native, (code, _e, perOp) => done(failedAsRequest(code) ? code : ZRC.ok, { rc: code, results: perOp })),
    );
    if (rc !== ZRC.ok) {
      // The failing op carries the transaction's code; the ones before it 0, the ones after it -2.
      const index = Math.max(0, results.findIndex((result) => result.rc === rc));
      const failed = ops[index] as MultiOp;
      throw new MultiOpError(index, ops.length, errorForCode(rc, failed.op, failed.path));
    }
    return ops.map((op, i) => multiResult(op, results[i] as NativeMultiResult)) as MultiResults<T>;
  }

  private call<T>(op: string, path: string, send: (h: NativeOps, done: (rc: Rc, value: T) => void) => Rc): Promise<T> {
    const handle = this.handle;
    if (this.currentState === "closed") return Promise.reject(new ClientClosedError(`${op} ${path}: the ZooKeeper client is closed`));
    if (!handle) {
      const error = this.currentState === "suspended" ? ConnectionLossError : SessionExpiredError;
      return Promise.reject(new error(`${op} ${path}: not connected to ZooKeeper (reconnecting)`, path));
    }
    this.operations++;
    const observer = this.operationObserver;
    const started = observer ? performance.now() : 0;
    return new Promise<T>((resolve, reject) => {
      const rc = send(handle.native, (code, value) => {
        observer?.(op, (performance.now() - started) / 1000, code === ZRC.ok);
        if (code === ZRC.ok) resolve(value);
        else reject(errorForCode(code, op, path));
      });
      // A request the C client refuses up front never calls back.
      if (rc !== ZRC.ok) reject(errorForCode(rc, op, path));
    });
  }

  private wrapWatcher(watcher: Watcher): NativeWatchCb {
    let fired = false;
    const session = this.currentSession;
    return (type, _state, path) => {
      const eventType = WATCH_TYPES[type];
      // Session events are delivered to every watcher too; they are reported by onState instead.
      if (fired || eventType === undefined || session !== this.currentSession) return;
      fired = true;
      watcher({ type: eventType, path });
    };
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.events.emit("state", state);
  }

  /**
   * Opens a native handle: for a new session, or with `resume` for the current one (after the
   * connection was lost). The C client fails over between servers by itself, but the addon can
   * stall after losing its server, spinning without trying the next one; a handle that is not
   * connected within STALL_MS is therefore replaced (replaceHandle).
   */
  private startHandle(resume?: SessionCredentials): void {
    const { servers, chroot } = this;
    const handle = new ZooKeeper({
      connect: `${servers}${chroot}`,
      timeout: this.options.sessionTimeoutMs ?? 10_000,
      debug_level: 0,
      host_order_deterministic: false,
      // The C client otherwise resolves the server names again after every answer (a getaddrinfo
      // and a random seed each time: patches/zookeeper-resolution-delay.patch); a name's new
      // address is still picked up within this window, and on every reconnect.
      resolution_delay_ms: RESOLUTION_DELAY_MS,
      // The addon closes a handle as "expired" after this many empty reads in a row, which a
      // lost server produces while the C client looks for the next one: expiry is the server's
      // to say, and a stalled handle is replaced instead.
      response_counter_limit: 2_000_000_000,
      ...(resume === undefined ? {} : { client_id: resume.clientId, client_password: resume.password }),
    }) as unknown as NativeHandle;
    this.handle = handle;
    if (resume === undefined) this.setState("connecting");
    if (resume === undefined && this.waitingWarning === undefined) {
      const started = Date.now();
      this.waitingWarning = setInterval(() => {
        this.log.warn({ servers, waitedSeconds: Math.round((Date.now() - started) / 1000), lastFailure: this.lastFailure || undefined }, "waiting for ZooKeeper");
      }, 10_000);
    }
    handle.on("connect", () => this.onConnect(handle));
    handle.on("connecting", () => this.onConnectionLost(handle));
    handle.on("close", (_h, code) => this.onHandleClosed(handle, code));
    this.armStallTimer(handle);
    handle.init({});
    for (const auth of this.options.auth ?? []) {
      handle.native.add_auth(auth.scheme, auth.credential, (rc) => {
        if (rc !== ZRC.ok) this.log.error({ scheme: auth.scheme, rc }, "ZooKeeper rejected the credentials");
      });
    }
  }

  private onConnect(handle: NativeHandle): void {
    if (handle !== this.handle) return;
    for (const timer of [this.suspendTimer, this.stallTimer, this.waitingWarning]) clearTimeout(timer);
    this.suspendTimer = undefined;
    this.waitingWarning = undefined;
    const sessionId = handle.client_id;
    const resumed = sessionId === this.currentSession;
    const sameHandle = handle === this.sessionHandle;
    this.sessionHandle = handle;
    this.lastFailure = "";
    this.setState("connected");
    if (resumed && sameHandle) {
      this.log.info({ servers: this.servers }, "reconnected to ZooKeeper");
      return;
    }
    if (resumed) {
      this.log.info({ servers: this.servers, sessionId }, "ZooKeeper session resumed on a new connection; watches are re-armed");
    } else {
      this.currentSession = sessionId;
      this.sessionPassword = handle.client_password;
      this.sessionTimeout = handle.timeout || this.options.sessionTimeoutMs || 10_000;
      this.reconnectAttempt = 0;
      this.log.debug({ servers: this.servers, sessionId }, "ZooKeeper session established");
    }
    // Listeners re-arm their watches: a new handle (or a new session) carries none.
    this.events.emit("session", sessionId);
  }

  private onConnectionLost(handle: NativeHandle): void {
    if (handle !== this.handle || this.currentSession === "") return;
    this.log.warn({ servers: this.servers }, "ZooKeeper connection lost; locks are kept until the session expires");
    this.setState("suspended");
    // The server cannot tell us about an expiry while we cannot reach it: after a full
    // session timeout of silence the session is gone as far as every other party knows.
    this.suspendTimer ??= setTimeout(() => this.sessionLost("no contact for a whole session timeout"), this.sessionTimeout);
    this.armStallTimer(handle);
  }

  private onHandleClosed(handle: NativeHandle, code: number): void {
    if (handle !== this.handle) return;
    this.handle = undefined;
    clearTimeout(this.stallTimer);
    if (code === AUTH_FAILED_CLOSE_CODE) {
      this.lastFailure = "ZooKeeper refused the credentials; check the auth settings";
      this.log.error({ servers: this.servers }, this.lastFailure);
    }
    if (this.currentSession !== "") {
      this.sessionLost(code === EXPIRED_CLOSE_CODE ? "the server expired the session" : `the connection was closed (code ${code})`);
    } else {
      this.scheduleReconnect();
    }
  }

  private armStallTimer(handle: NativeHandle): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      if (handle === this.handle && this.currentState !== "connected") this.replaceHandle();
    }, STALL_MS);
  }

  /** Closes a stalled handle and opens another one, re-attaching to the session if there is one. */
  private replaceHandle(): void {
    const old = this.handle;
    this.handle = undefined;
    old?.close();
    const resume = this.currentSession === "" ? undefined : { clientId: this.currentSession, password: this.sessionPassword };
    this.startHandle(resume);
  }

  private sessionLost(reason: string): void {
    if (this.currentState === "closed" || this.currentSession === "") return;
    clearTimeout(this.suspendTimer);
    clearTimeout(this.stallTimer);
    this.suspendTimer = undefined;
    const old = this.handle;
    this.handle = undefined;
    this.sessionHandle = undefined;
    this.currentSession = "";
    this.log.warn({ servers: this.servers, reason }, "ZooKeeper session lost: every lock and ephemeral node is gone");
    this.setState("expired");
    old?.close();
    this.scheduleReconnect();
  }

  /** A fresh session after an expiry or a refused connection, with exponential backoff. */
  private scheduleReconnect(): void {
    const delay = Math.min(30_000, 250 * 2 ** this.reconnectAttempt);
    this.reconnectAttempt++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.currentState === "closed") return;
      this.log.info({ servers: this.servers, attempt: this.reconnectAttempt }, "opening a new ZooKeeper session");
      this.startHandle();
    }, delay);
  }
}

function nativeMultiOp(op: MultiOp): NativeMultiOp {
  switch (op.op) {
    case "create":
      return { type: "create", path: op.path, data: toBuffer(op.data ?? EMPTY), flags: MODE_FLAGS[op.mode ?? "persistent"] };
    case "delete":
      return { type: "delete", path: op.path, version: op.version ?? -1 };
    case "set":
      return { type: "set", path: op.path, data: toBuffer(op.data), version: op.version ?? -1 };
    case "check":
      return { type: "check", path: op.path, version: op.version };
  }
}

function multiResult(op: MultiOp, result: NativeMultiResult): MultiResult {
  switch (op.op) {
    case "create":
      return { op: "create", path: result.path ?? op.path };
    case "set":
      return { op: "set", stat: result.stat as Stat };
    case "delete":
      return { op: "delete" };
    case "check":
      return { op: "check" };
  }
}

/** A transaction that failed as a whole (connection, session), not because the server refused one of its ops. */
function failedAsRequest(rc: Rc): boolean {
  return rc > ZAPI_ERROR || rc === ZRC.sessionExpired || rc === ZRC.closing;
}

function toBuffer(data: Buffer | string): Buffer {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

/** Creates the chroot znode (and its ancestors) through a short-lived client without chroot. */
async function ensureChroot(options: ZkClientOptions): Promise<void> {
  const { servers, chroot } = splitHosts(options.hosts);
  const root = await ZkClient.connect({ ...options, hosts: servers });
  try {
    if ((await root.exists(chroot)) === null) await root.ensurePath(chroot);
  } finally {
    root.close();
  }
}
