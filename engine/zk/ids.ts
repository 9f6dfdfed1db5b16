/**
 * Identifiers of the ZooKeeper tree (spec/zookeeper.md §5.2). They are plain strings on the
 * wire; the brands keep a node id from being passed where a request id is expected.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** `<seq10>`, e.g. `0000120034`. */
export type NodeId = Brand<string, "NodeId">;
/** `<PPP>-<seq10>`, e.g. `200-0000004711`. */
export type RequestId = Brand<string, "RequestId">;
/** `<hostname>-<pid>-PoolWorker.<provider>-<pool>`; never parsed by readers. */
export type LauncherId = Brand<string, "LauncherId">;
/** `<seq10>` under `/nodepool/images/<image>/builds/`. */
export type BuildId = Brand<string, "BuildId">;
/** `<seq10>` under `.../providers/<provider>/images/`. */
export type UploadId = Brand<string, "UploadId">;

export const asNodeId = (id: string): NodeId => id as NodeId;
export const asRequestId = (id: string): RequestId => id as RequestId;
export const asLauncherId = (id: string): LauncherId => id as LauncherId;
export const asBuildId = (id: string): BuildId => id as BuildId;
export const asUploadId = (id: string): UploadId => id as UploadId;

/** Priority prefix of Nodepool's own (min-ready) requests. */
export const MIN_READY_PRIORITY = "100";

/** A request priority prefix: exactly 3 characters, zero-padded as Zuul writes it (`99` → `099`). */
export function priorityPrefix(priority: number | string): string {
  const text = String(priority);
  if (!/^\d{1,3}$/.test(text)) throw new RangeError(`request priority must be 0..999, got ${text}`);
  return text.padStart(3, "0");
}

/** Splits a request id at its first `-` into the priority prefix and the sequence suffix. */
export function splitRequestId(id: RequestId | string): { priority: string; sequence: string } {
  const dash = id.indexOf("-");
  if (dash < 0) return { priority: "", sequence: id };
  return { priority: id.slice(0, dash), sequence: id.slice(dash + 1) };
}

/** Launcher id of one provider pool worker (spec §2.4), e.g. `nl01-2231-PoolWorker.cloud-east-main`. */
export function launcherIdFor(hostname: string, pid: number, provider: string, pool: string): LauncherId {
  return asLauncherId(`${hostname}-${pid}-PoolWorker.${provider}-${pool}`);
}

/** The CLI's build name `<image>-<build id>`, and its inverse (split at the last `-`). */
export function buildDisplayName(image: string, build: BuildId): string {
  return `${image}-${build}`;
}
export function parseBuildDisplayName(name: string): { image: string; build: BuildId } | null {
  const dash = name.lastIndexOf("-");
  if (dash <= 0 || dash === name.length - 1) return null;
  return { image: name.slice(0, dash), build: asBuildId(name.slice(dash + 1)) };
}
