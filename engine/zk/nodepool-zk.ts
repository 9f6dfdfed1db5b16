import { hostname } from "node:os";
import type { Logger } from "../log.ts";
import { baseName, ZkClient, type MultiOp, type Stat, type ZkClientOptions } from "./client.ts";
import { LockBusyError, LockTimeoutError, MalformedRecordError, NoNodeError, NodeExistsError, RecordGoneError } from "./errors.ts";
import { asBuildId, asLauncherId, asNodeId, asRequestId, asUploadId, MIN_READY_PRIORITY, priorityPrefix } from "./ids.ts";
import type { BuildId, LauncherId, NodeId, RequestId, UploadId } from "./ids.ts";
import { ZkLock, type AcquireOptions } from "./lock.ts";
import * as P from "./paths.ts";
import { decodeBuild, decodeUpload, encodeBuild, encodeUpload, type BuildState, type ImageBuildRecord, type ImageUploadRecord, type UploadState } from "./records/image.ts";
import { decodeLauncher, encodeLauncher, type LauncherRecord } from "./records/launcher.ts";
import { decodeNode, encodeNode, withNodeState, type NodeRecord } from "./records/node.ts";
import { compareRequests, decodeRequest, encodeRequest, type NodeRequestRecord } from "./records/request.ts";

/**
 * The Nodepool tree in ZooKeeper, modelled on Nodepool's zk.py: store/get/delete of requests,
 * nodes, launcher registrations, image builds and uploads; kazoo-compatible locks on them;
 * the stats election. Reads skip (and log, with the path) malformed records and treat
 * data-less znodes as absent. Every write that a lock protects may be given that lock as
 * `guard`: the write is refused with LockLostError once the lock is gone.
 */

/** A record together with the lock that protects it, re-read right after locking (§3.4 step 7). */
export interface Locked<T> {
  readonly lock: ZkLock;
  readonly record: T;
}

/** A request's write as one op of a transaction (ZkClient.multi), for writes sent with its lock. */
export function storeRequestOp(request: NodeRequestRecord & { readonly id: RequestId }): MultiOp {
  return { op: "set", path: P.requestPath(request.id), data: encodeRequest(request) };
}

/** A node's write as one op of a transaction. */
export function storeNodeOp(node: NodeRecord & { readonly id: NodeId }): MultiOp {
  return { op: "set", path: P.nodePath(node.id), data: encodeNode(node) };
}

/**
 * What a node's znode holds, for the operator's `delete` and `hold`, which must tell a node
 * that does not exist from one whose record cannot be read (reads elsewhere skip those).
 */
export type NodeZnode =
  | { readonly kind: "missing" }
  /** The znode exists but holds no data, or data that is not a node record: `reason` says which. */
  | { readonly kind: "unreadable"; readonly reason: string }
  | { readonly kind: "record"; readonly record: NodeRecord & { readonly id: NodeId } };

/** How `getX` helpers distinguish "no znode" from "znode with no data". */
type Decoded<T> = T | "empty" | null;

export class NodepoolZk {
  readonly client: ZkClient;
  /**
   * The sessions a bulk read is spread over, the client's first: ZooKeeper serves one session's
   * requests in order and different sessions' in parallel. Just the client unless `connect` was
   * asked for more.
   */
  readonly readers: readonly ZkClient[];
  readonly log: Logger;

  constructor(client: ZkClient, readers: readonly ZkClient[] = [client]) {
    this.client = client;
    this.readers = readers;
    this.log = client.log;
  }

  /** `readerSessions`: sessions in all for bulk reads (a command reading 10,000 nodes opens 4). */
  static async connect(options: ZkClientOptions, readerSessions = 1): Promise<NodepoolZk> {
    const opened = await Promise.allSettled(Array.from({ length: Math.max(1, readerSessions) }, () => ZkClient.connect(options)));
    const clients = opened.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) {
      for (const client of clients) client.close();
      throw failed.reason;
    }
    return new NodepoolZk(clients[0] as ZkClient, clients);
  }

  /** ZooKeeper requests sent so far (the launcher benchmark reports ops per request). */
  get operationCount(): number {
    return this.client.operationCount;
  }

  close(): void {
    for (const client of new Set([this.client, ...this.readers])) client.close();
  }

  // ---- requests -------------------------------------------------------------------------

  /**
   * Submits a request as an ephemeral sequential znode `/nodepool/requests/<PPP>-<seq10>`
   * (priority `100` is Nodepool's own). Returns it with its new id.
   */
  async submitNodeRequest(request: NodeRequestRecord, priority: string | number = MIN_READY_PRIORITY): Promise<NodeRequestRecord> {
    const path = await this.client.createWithParents(P.requestCreatePath(priorityPrefix(priority)), encodeRequest(request), "ephemeral-sequential");
    return { ...request, id: asRequestId(baseName(path)) };
  }

  /** Overwrites a request (whole record, last writer wins); submits it when it has no id yet. */
  async storeNodeRequest(request: NodeRequestRecord, guard?: ZkLock, priority?: string | number): Promise<NodeRequestRecord> {
    if (request.id === undefined) return this.submitNodeRequest(request, priority);
    guard?.assertHeld();
    await this.client.set(P.requestPath(request.id), encodeRequest(request));
    return request;
  }

  async getNodeRequest(id: RequestId): Promise<NodeRequestRecord | null> {
    return present(await this.read(P.requestPath(id), (data, path) => decodeRequest(id, data, path)));
  }

  async getNodeRequestIds(): Promise<RequestId[]> {
    return (await this.children(P.REQUEST_ROOT)).map(asRequestId);
  }

  /** Every readable request, in the order launchers serve them. */
  async getNodeRequests(): Promise<NodeRequestRecord[]> {
    const requests = await this.readAll(await this.getNodeRequestIds(), (id) => this.getNodeRequest(id));
    return requests.sort(compareRequests);
  }

  /** Deletes a request; an already deleted one is fine. Its lock directory stays (§1.2). */
  async deleteNodeRequest(id: RequestId): Promise<void> {
    await this.deleteIfExists(P.requestPath(id));
  }

  /** Locks a request (Nodepool: non-blocking) and re-reads it; RecordGoneError if it vanished. */
  async lockNodeRequest(id: RequestId, options: AcquireOptions = { blocking: false }): Promise<Locked<NodeRequestRecord>> {
    const lock = new ZkLock(this.client, P.requestLockPath(id), { directory: { kind: "make-path" } });
    await this.take(lock, options, `request ${id}`);
    return this.reread(lock, () => this.getNodeRequest(id), `request ${id}`);
  }

  /** Request ids that have a lock directory (request-lock garbage collection, §7). */
  async getRequestLockIds(): Promise<RequestId[]> {
    return (await this.children(P.REQUEST_LOCK_ROOT)).map(asRequestId);
  }

  /** The lock directory's stat (its mtime is its age), or null when it is gone. */
  async getRequestLockStat(id: RequestId): Promise<Stat | null> {
    return this.client.exists(P.requestLockPath(id));
  }

  async deleteRequestLock(id: RequestId): Promise<void> {
    await this.client.deleteRecursive(P.requestLockPath(id));
  }

  // ---- nodes ----------------------------------------------------------------------------

  /**
   * Writes a node with the full field set. A node without id is created as
   * `/nodepool/nodes/<seq10>` (persistent sequential) and returned with its id.
   */
  async storeNode(node: NodeRecord, guard?: ZkLock): Promise<NodeRecord> {
    if (node.id === undefined) {
      const path = await this.client.createWithParents(P.NODE_CREATE_PATH, encodeNode(node), "persistent-sequential");
      return { ...node, id: asNodeId(baseName(path)) };
    }
    guard?.assertHeld();
    await this.client.set(P.nodePath(node.id), encodeNode(node));
    return node;
  }

  async getNode(id: NodeId): Promise<NodeRecord | null> {
    return present(await this.readNode(id));
  }

  async getNodeIds(): Promise<NodeId[]> {
    return (await this.children(P.NODE_ROOT)).map(asNodeId);
  }

  /** Every readable node (data-less and malformed znodes skipped). */
  async getNodes(): Promise<NodeRecord[]> {
    return this.readAll(await this.getNodeIds(), (id) => this.getNode(id));
  }

  /** Node znodes with empty data: garbage for the empty-node cleanup (§3.9). */
  async getEmptyNodeIds(): Promise<NodeId[]> {
    const ids = await this.getNodeIds();
    const decoded = await Promise.all(ids.map((id) => this.readNode(id)));
    return ids.filter((_, i) => decoded[i] === "empty");
  }

  /**
   * Deletes a node as Nodepool does: writes `state: "deleted"`, then removes the znode and its
   * lock directory recursively. A node already gone is fine.
   */
  async deleteNode(node: NodeRecord & { readonly id: NodeId }, guard?: ZkLock): Promise<void> {
    guard?.assertHeld();
    try {
      await this.client.set(P.nodePath(node.id), encodeNode(withNodeState(node, "deleted")));
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    await this.client.deleteRecursive(P.nodePath(node.id));
  }

  /** Removes a node znode and everything below it without writing it first (empty-node cleanup). */
  async deleteNodeZnode(id: NodeId): Promise<void> {
    await this.client.deleteRecursive(P.nodePath(id));
  }

  /**
   * Locks a node and re-reads it. Never re-creates a deleted node: a missing node, or one
   * with empty data, throws RecordGoneError. A node in `deleted` is returned (cleanup finishes
   * its deletion). Nodepool's defaults: blocking, no timeout. `justCreated`: the `init` record
   * this process has just stored; it is returned without re-reading.
   */
  async lockNode(id: NodeId, options: AcquireOptions & { readonly justCreated?: NodeRecord } = {}): Promise<Locked<NodeRecord>> {
    const lock = await this.lockNodeZnode(id, options);
    // A node this process has just created in `init` is touched by no one else (cleanup skips
    // `init`), so the record it holds is current and the re-read can be saved.
    if (options.justCreated !== undefined) return { lock, record: options.justCreated };
    return this.reread(lock, () => this.getNode(id), `node ${id}`);
  }

  /** A node's znode as it is: missing, unreadable (with why) or its record. Logs nothing. */
  async inspectNode(id: NodeId): Promise<NodeZnode> {
    const path = P.nodePath(id);
    let data: Buffer;
    try {
      data = (await this.client.get(path)).data;
    } catch (error) {
      if (error instanceof NoNodeError) return { kind: "missing" };
      throw error;
    }
    try {
      const record = decodeNode(id, data, path);
      return record === "empty" ? { kind: "unreadable", reason: `${path}: no data` } : { kind: "record", record };
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      return { kind: "unreadable", reason: error.message };
    }
  }

  /**
   * Locks a node's znode without reading its record: for deleting one that cannot be read.
   * Never re-creates a missing node (RecordGoneError).
   */
  async lockNodeZnode(id: NodeId, options: AcquireOptions): Promise<ZkLock> {
    const lock = new ZkLock(this.client, P.nodeLockPath(id), { directory: { kind: "below", floor: P.nodePath(id) } });
    await this.take(lock, options, `node ${id}`);
    return lock;
  }

  // ---- launchers ------------------------------------------------------------------------

  /**
   * Asserts a launcher registration (§2.4): creates the ephemeral znode when missing (after a
   * session loss), overwrites it when its content differs, otherwise leaves it alone.
   */
  async registerLauncher(launcher: LauncherRecord): Promise<void> {
    const path = P.launcherPath(launcher.id);
    const data = encodeLauncher(launcher);
    try {
      const current = await this.client.get(path);
      if (!current.data.equals(data)) await this.client.set(path, data);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      try {
        await this.client.createWithParents(path, data, "ephemeral");
      } catch (again) {
        if (!(again instanceof NodeExistsError)) throw again;
        await this.client.set(path, data);
      }
    }
  }

  async unregisterLauncher(id: LauncherId): Promise<void> {
    await this.deleteIfExists(P.launcherPath(id));
  }

  async getLauncher(id: LauncherId): Promise<LauncherRecord | null> {
    return present(await this.read(P.launcherPath(id), (data, path) => decodeLauncher(id, data, path)));
  }

  async getLaunchers(): Promise<LauncherRecord[]> {
    const ids = (await this.children(P.LAUNCHER_ROOT)).map(asLauncherId);
    return this.readAll(ids, (id) => this.getLauncher(id));
  }

  // ---- images ---------------------------------------------------------------------------

  async getImageNames(): Promise<string[]> {
    return (await this.children(P.IMAGE_ROOT)).sort();
  }

  /** `nodepool image-build`: the `request-build` marker (existence is the signal). */
  async submitBuildRequest(image: string): Promise<void> {
    await this.client.ensurePath(P.imageBuildRequestPath(image));
  }

  async hasBuildRequest(image: string): Promise<boolean> {
    return (await this.client.exists(P.imageBuildRequestPath(image))) !== null;
  }

  async removeBuildRequest(image: string): Promise<void> {
    await this.deleteIfExists(P.imageBuildRequestPath(image));
  }

  /** Runtime image pause, a `pause` marker beside `builds` (spec §1.4). */
  async setImagePaused(image: string, paused: boolean): Promise<void> {
    if (paused) await this.client.ensurePath(P.imagePausePath(image));
    else await this.deleteIfExists(P.imagePausePath(image));
  }

  async isImagePaused(image: string): Promise<boolean> {
    return (await this.client.exists(P.imagePausePath(image))) !== null;
  }

  /** Writes a build; one without id is created by a sequential create under `.../builds/`. */
  async storeBuild(build: ImageBuildRecord, guard?: ZkLock): Promise<ImageBuildRecord> {
    guard?.assertHeld();
    if (build.id === undefined) {
      const path = await this.client.createWithParents(`${P.buildsPath(build.image)}/`, encodeBuild(build), "persistent-sequential");
      return { ...build, id: asBuildId(baseName(path)) };
    }
    await this.client.set(P.buildPath(build.image, build.id), encodeBuild(build));
    return build;
  }

  async getBuild(image: string, id: BuildId): Promise<ImageBuildRecord | null> {
    return present(await this.read(P.buildPath(image, id), (data, path) => decodeBuild(image, id, data, path)));
  }

  /** Build ids of an image (the reserved `lock` child skipped). */
  async getBuildIds(image: string): Promise<BuildId[]> {
    return (await this.children(P.buildsPath(image))).filter((name) => name !== P.LOCK_NAME).map(asBuildId);
  }

  /** Builds of an image, optionally only those in `states`, in id order. */
  async getBuilds(image: string, states?: readonly BuildState[]): Promise<ImageBuildRecord[]> {
    const builds = await this.readAll(await this.getBuildIds(image), (id) => this.getBuild(image, id));
    return builds.filter((b) => states === undefined || states.includes(b.state)).sort(byId);
  }

  /** The `count` builds in `state` with the greatest `state_time`, newest first. */
  async getMostRecentBuilds(image: string, count: number, state: BuildState = "ready"): Promise<ImageBuildRecord[]> {
    return (await this.getBuilds(image, [state])).sort((a, b) => b.stateTime - a.stateTime).slice(0, count);
  }

  /**
   * Deletes a build znode recursively, refusing (returning false) while any upload record
   * remains below it.
   */
  async deleteBuild(image: string, id: BuildId): Promise<boolean> {
    for (const provider of await this.getBuildProviders(image, id)) {
      if ((await this.getUploadIds(image, id, provider)).length > 0) return false;
    }
    await this.client.deleteRecursive(P.buildPath(image, id));
    return true;
  }

  async getBuildProviders(image: string, id: BuildId): Promise<string[]> {
    return (await this.children(P.providersPath(image, id))).sort();
  }

  /** Removes every upload record of one provider below a build (`nodepool erase`). */
  async deleteBuildProvider(image: string, id: BuildId, provider: string): Promise<void> {
    await this.client.deleteRecursive(P.providerPath(image, id, provider));
  }

  /** Writes an upload; one without id is created by a sequential create (missing dirs made). */
  async storeUpload(upload: ImageUploadRecord, guard?: ZkLock): Promise<ImageUploadRecord> {
    guard?.assertHeld();
    if (upload.id === undefined) {
      const dir = P.uploadsPath(upload.image, upload.buildId, upload.provider);
      const path = await this.client.createWithParents(`${dir}/`, encodeUpload(upload), "persistent-sequential");
      return { ...upload, id: asUploadId(baseName(path)) };
    }
    await this.client.set(P.uploadPath(upload.image, upload.buildId, upload.provider, upload.id), encodeUpload(upload));
    return upload;
  }

  async getUpload(image: string, build: BuildId, provider: string, id: UploadId): Promise<ImageUploadRecord | null> {
    const path = P.uploadPath(image, build, provider, id);
    return present(await this.read(path, (data, p) => decodeUpload(image, build, provider, id, data, p)));
  }

  async getUploadIds(image: string, build: BuildId, provider: string): Promise<UploadId[]> {
    return (await this.children(P.uploadsPath(image, build, provider))).filter((name) => name !== P.LOCK_NAME).map(asUploadId);
  }

  async getUploads(image: string, build: BuildId, provider: string, states?: readonly UploadState[]): Promise<ImageUploadRecord[]> {
    const uploads = await this.readAll(await this.getUploadIds(image, build, provider), (id) => this.getUpload(image, build, provider, id));
    return uploads.filter((u) => states === undefined || states.includes(u.state)).sort(byId);
  }

  /** The upload launchers boot from: greatest `state_time` in `state` across all builds of the image. */
  async getMostRecentImageUpload(image: string, provider: string, state: UploadState = "ready"): Promise<ImageUploadRecord | null> {
    const perBuild = await Promise.all((await this.getBuildIds(image)).map((build) => this.getUploads(image, build, provider, [state])));
    let newest: ImageUploadRecord | null = null;
    for (const upload of perBuild.flat()) if (newest === null || upload.stateTime > newest.stateTime) newest = upload;
    return newest;
  }

  async deleteUpload(image: string, build: BuildId, provider: string, id: UploadId): Promise<void> {
    await this.client.deleteRecursive(P.uploadPath(image, build, provider, id));
  }

  /** "A build of this image is in progress" (`.../builds/lock`), non-blocking by default. */
  async lockImageBuild(image: string, options: AcquireOptions = { blocking: false }): Promise<ZkLock> {
    const lock = new ZkLock(this.client, P.imageBuildLockPath(image), { directory: { kind: "make-path" } });
    await this.take(lock, options, `image ${image} builds`);
    return lock;
  }

  /** Lock on one build (marking it `deleting`); never re-creates a deleted build znode. */
  async lockBuildNumber(image: string, build: BuildId, options: AcquireOptions = { blocking: false }): Promise<ZkLock> {
    const lock = new ZkLock(this.client, P.buildLockPath(image, build), { directory: { kind: "below", floor: P.buildPath(image, build) } });
    await this.take(lock, options, `build ${image}-${build}`);
    return lock;
  }

  /** "An upload of this build to this provider is in progress"; creates dirs below the build only. */
  async lockUpload(image: string, build: BuildId, provider: string, options: AcquireOptions = { blocking: false }): Promise<ZkLock> {
    const lock = new ZkLock(this.client, P.uploadLockPath(image, build, provider), { directory: { kind: "below", floor: P.buildPath(image, build) } });
    await this.take(lock, options, `upload of ${image}-${build} to ${provider}`);
    return lock;
  }

  // ---- stats election -------------------------------------------------------------------

  /**
   * A contender in the stats-reporter election (`/nodepool/elections/stats`, kazoo's Election):
   * `await election.acquire()` returns when this process leads; `onLost` reports a lost session.
   */
  statsElection(identifier: string = `${hostname()}-${process.pid}`): ZkLock {
    return new ZkLock(this.client, P.STATS_ELECTION_PATH, { identifier, directory: { kind: "make-path" } });
  }

  // ---- internals ------------------------------------------------------------------------

  private async readNode(id: NodeId): Promise<Decoded<NodeRecord>> {
    return this.read(P.nodePath(id), (data, path) => decodeNode(id, data, path));
  }

  /** Reads and decodes one znode: null when missing or malformed (logged with its path). */
  private async read<T>(path: string, decode: (data: Buffer, path: string) => T | "empty"): Promise<Decoded<T>> {
    let data: Buffer;
    try {
      data = (await this.client.get(path)).data;
    } catch (error) {
      if (error instanceof NoNodeError) return null;
      throw error;
    }
    try {
      return decode(data, path);
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      this.log.warn({ path, err: error.message }, "skipping malformed record");
      return null;
    }
  }

  private async readAll<I, T>(ids: readonly I[], get: (id: I) => Promise<T | null>): Promise<T[]> {
    const records: (T | null)[] = await Promise.all(ids.map((id) => get(id)));
    return records.filter((r): r is T => r !== null);
  }

  private async children(path: string): Promise<string[]> {
    try {
      return await this.client.getChildren(path);
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  private async deleteIfExists(path: string): Promise<void> {
    try {
      await this.client.delete(path);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }

  private async take(lock: ZkLock, options: AcquireOptions, what: string): Promise<void> {
    if (await lock.acquire(options)) return;
    if (options.blocking === false) throw new LockBusyError(`${what} is locked by another party`, lock.path);
    throw new LockTimeoutError(`timed out waiting ${options.timeoutMs ?? 0} ms for the lock on ${what}`, lock.path);
  }

  private async reread<T>(lock: ZkLock, get: () => Promise<T | null>, what: string): Promise<Locked<T>> {
    try {
      const record = await get();
      if (record === null) throw new RecordGoneError(`${what} no longer exists`, lock.path);
      return { lock, record };
    } catch (error) {
      await lock.release();
      throw error;
    }
  }
}

function present<T>(decoded: Decoded<T>): T | null {
  return decoded === "empty" ? null : decoded;
}

function byId<T extends { readonly id?: string }>(a: T, b: T): number {
  return (a.id ?? "").localeCompare(b.id ?? "");
}
