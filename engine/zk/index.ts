/**
 * The ZooKeeper data layer (spec/zookeeper.md): what other modules import.
 *
 * - `NodepoolZk` — the tree-level API modelled on Nodepool's zk.py. Connect with
 *   `NodepoolZk.connect({ hosts: zkHostsFromConfig(config["zookeeper-servers"]) })`, or the
 *   CLI's `--zookeeper` string, and `connectTimeoutMs` for commands that must fail fast.
 *   Records: store/get/delete of node requests, nodes, launcher registrations, image builds and
 *   uploads, build requests and the runtime image pause; locks: `lockNode`, `lockNodeRequest`,
 *   `lockImageBuild`, `lockBuildNumber`, `lockUpload` (kazoo-compatible, see lock.ts), and
 *   `statsElection`. `operationCount` counts ZooKeeper requests.
 * - `ZkClient` — the underlying typed promise client (connection states, sessions, watches,
 *   `multi` transactions).
 * - Records: plain immutable objects with camelCase fields, (de)serialised with the exact JSON
 *   of §2 by `encodeX`/`decodeX`; `newX` builds one with Nodepool's defaults, `withXState`
 *   changes a state and its `state_time`. Unknown fields ride along in `extra`.
 * - Caches, kept current by watches (no polling) and re-synced after a session loss:
 *   `await nodeCache(zk.client).start()`, `requestCache`, `launcherCache` (a `ChildrenCache`
 *   each: `get(id)`, `map`, `values()`, `onChange(listener)`), and `new ImageCache(client)`. A process
 *   writing records under their lock keeps a cache current itself (`writing`, `wrote`,
 *   `released`, `deleted`) and asks `current(id)` for a record known to be up to date.
 */
export * from "./errors.ts";
export * from "./ids.ts";
export * as paths from "./paths.ts";
export { ZkClient, baseName, parentPath, splitHosts } from "./client.ts";
export type { ConnectionState, CreateMode, MultiOp, OperationObserver, MultiResult, MultiResults, Stat, WatchEvent, Watcher, ZkAuth, ZkClientOptions } from "./client.ts";
export { zkHostsFromConfig, type ZooKeeperServer } from "./connection.ts";
export { ZkLock, sortContenders } from "./lock.ts";
export type { AcquireOptions, LockDirectoryPolicy, LockOptions } from "./lock.ts";
export { NodepoolZk, type Locked } from "./nodepool-zk.ts";
export { ChildrenCache, type CacheChange, type ChildDecoder, type ChildrenCacheOptions } from "./cache.ts";
export { ImageCache, launcherCache, nodeCache, requestCache, sortedRequests } from "./caches.ts";
export type { CachedNode, CachedRequest, CacheOptions, ImageChange, LauncherCache, NodeCache, RequestCache } from "./caches.ts";
export * from "./records/node.ts";
export * from "./records/request.ts";
export * from "./records/launcher.ts";
export * from "./records/image.ts";
export { epochSeconds, type Extra } from "./records/_codec.ts";
