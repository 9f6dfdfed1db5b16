/**
 * The driver boundary: the only seam between the engine and a cloud (or a set of fixed
 * machines). A driver declares, from a provider's config and without I/O, what its providers
 * can do (`ProviderTraits`), and builds one `Provider` per configured provider whose optional
 * members are those abilities: a cloud launches and deletes servers, a static driver offers an
 * inventory of existing hosts, and only what a driver has is there, so nobody stubs methods.
 * The engine asks a provider what it can do and never tests a driver's name. Decisions stay in
 * the engine: a driver answers questions and performs one side effect per call, every call
 * takes an AbortSignal, and failures are the typed errors below so the engine can classify a
 * launch (behaviour.md §3.3).
 */
import { NodepoolError } from "../errors.ts";

/** A cloud-side server id (OpenStack server UUID, ...). */
export type ServerId = string & { readonly __brand: "ServerId" };

/** A cloud-side image id (a Glance UUID: image names are not unique). */
export type ImageId = string & { readonly __brand: "ImageId" };

/** Quota dimensions; ram in MiB; `Infinity` means unlimited. */
export interface Resources {
  cores: number;
  instances: number;
  ram: number;
}

export type ServerStatus = "BUILD" | "ACTIVE" | "ERROR";

/** A server as the cloud lists it; `metadata` carries the keys of behaviour.md §3.1 step 3. */
export interface Server {
  id: ServerId;
  name: string;
  status: ServerStatus;
  metadata: Readonly<Record<string, string>>;
  az: string | null;
  /** What the server's flavor consumes, for unmanaged-usage accounting (behaviour.md §2.12). */
  resources: Resources;
}

// ---- what a driver declares from the config ------------------------------------------------

/**
 * What providers of a driver can do. `launch`: create and delete servers; `inventory`: offer
 * pre-existing hosts whose node records the engine registers (static machines); `images`:
 * take the builder's uploads; `quota`: report the cloud's limits; `leaks`: clean up leaked
 * cloud resources the engine does not track (ports, floating IPs).
 */
export type Ability = "launch" | "inventory" | "images" | "quota" | "leaks";

/** How a pool label gets its image. */
export type LabelImage =
  | { kind: "diskimage"; diskimage: string }
  | { kind: "cloud-image"; cloudImage: string }
  /** Drivers without images (static hosts): always available. */
  | { kind: "none" };

/** A pool as the engine plans with it; limits are Infinity when unset. */
export interface PoolTraits {
  name: string;
  /** ≤ 0 disables the pool. */
  maxServers: number;
  maxCores: number;
  maxRam: number;
  ignoreProviderQuota: boolean;
  /** Zones to choose from; null = whatever the cloud offers. */
  availabilityZones: readonly string[] | null;
  /** `node-attributes`: copied onto every node of the pool; null when unset. */
  nodeAttributes: Readonly<Record<string, unknown>> | null;
  labels: ReadonlyMap<string, LabelImage>;
}

/** A diskimage the builder uploads to a provider (an entry of its `diskimages`). */
export interface ImageTarget {
  name: string;
  pause: boolean;
  /** Image properties set on every upload. */
  meta: Readonly<Record<string, string>>;
}

/** What a provider is, read from its config without I/O: all the engine knows of that config. */
export interface ProviderTraits {
  name: string;
  abilities: ReadonlySet<Ability>;
  /** −1 = unlimited, 0 = take no requests, n = at most n launches in progress. */
  maxConcurrency: number;
  /** Seconds between two API calls (`rate`); 0: no limit. */
  rate: number;
  /** Attempts per node before its launch fails (`launch-retries`; values < 1 count as 1). */
  launchRetries: number;
  pools: readonly PoolTraits[];
  /** What the builder uploads, for drivers with the `images` ability; null otherwise. */
  images: { nameFormat: string; diskimages: readonly ImageTarget[] } | null;
}

// ---- launching servers ------------------------------------------------------------------

/** The image a node boots from, resolved by the engine from ZooKeeper (newest ready upload). */
export type BootImage =
  | {
      kind: "diskimage";
      /** Diskimage name, recorded as the image name in server metadata. */
      name: string;
      /** Znode path of the upload record, recorded as the node's `image_id`. */
      uploadPath: string;
      externalId: string;
      username: string | null;
    }
  | { kind: "cloud-image"; name: string };

/** What one launch attempt is asked to do; everything else comes from the provider's own config. */
export interface LaunchSpec {
  nodeId: string;
  pool: string;
  label: string;
  /** The AZ chosen for the request, or null to let the driver/cloud choose. */
  az: string | null;
  /** Null for labels whose image the driver resolves itself (cloud images). */
  image: BootImage | null;
}

/** Node record fields a launch (or a host registration) learns, in the record's own key names (zookeeper.md §2.3). */
export interface LaunchedNodeFields {
  external_id: string | null;
  hostname: string | null;
  image_id: string | null;
  username: string | null;
  connection_type: string | null;
  connection_port: number;
  resources: Resources | null;
  az: string | null;
  cloud: string | null;
  region: string | null;
  host_id: string | null;
  interface_ip: string | null;
  public_ipv4: string | null;
  public_ipv6: string | null;
  private_ipv4: string | null;
  host_keys: string[];
}

/**
 * Called by a launch with fields worth storing before the attempt finishes (the server id as
 * soon as it exists), so a crash leaves a record that cleanup can act on.
 */
export type LaunchCheckpoint = (fields: Partial<LaunchedNodeFields>) => Promise<void>;

/**
 * Creating and deleting servers (behaviour.md §3.1): clouds. The `signal` aborts a call when
 * the launcher stops or loses its session; launch-timeout and boot-timeout are the driver's own.
 */
export interface ServerLauncher {
  /** Resources one node of this pool label consumes (its flavor), behaviour.md §3.5. */
  labelResources(pool: string, label: string, signal: AbortSignal): Promise<Resources>;
  /** Availability zones the cloud offers; empty when the cloud has none. */
  availabilityZones(signal: AbortSignal): Promise<string[]>;
  /** Whether a cloud-image label's image exists (always true when configured by id). */
  cloudImageAvailable(cloudImage: string, signal: AbortSignal): Promise<boolean>;
  /** Every server of the cloud account (the engine picks this provider's by metadata). */
  listServers(signal: AbortSignal): Promise<Server[]>;
  /** One launch attempt (behaviour.md §3.1); throws LaunchError on failure. */
  launch(spec: LaunchSpec, checkpoint: LaunchCheckpoint, signal: AbortSignal): Promise<LaunchedNodeFields>;
  /** Deletes a server and waits until it is gone; a server that does not exist counts as deleted. */
  deleteServer(id: ServerId, signal: AbortSignal): Promise<void>;
}

// ---- an inventory of existing hosts ------------------------------------------------------

/** A configured host an inventory offers (behaviour.md §3B.1), with what its last check found. */
export interface InventoryHost {
  /** Host name, unique across the provider's pools; its node records carry it as hostname. */
  name: string;
  pool: string;
  labels: readonly string[];
  /** `max-parallel-jobs`: how many node records stand for the host at once. */
  slots: number;
  /** The connection details its node records carry. */
  username: string;
  connectionType: string;
  port: number;
  /** The host keys its records carry; null while the host has not been checked since it changed. */
  hostKeys: readonly string[] | null;
  /** `up`: checked and fine; `unknown`: not checked yet (`register` checks first); else failed. */
  status: "up" | "unknown" | "down" | "refused";
  /** Why a failed host failed. */
  reason: string | null;
}

/**
 * Pre-existing machines (the static driver, behaviour.md §3B): nothing is launched; the engine
 * keeps `slots` ready node records per listed host, registered after `register` checked the
 * host, and asks `reachable` before it hands one out.
 */
export interface HostInventory {
  /** The hosts the provider offers now, as last checked (no I/O). */
  listHosts(): InventoryHost[];
  /**
   * Checks the hosts in the background until the provider stops (the launcher does; `plan` and
   * the builder do not); `listener` runs whenever what they allow changes (checked, down, back).
   */
  watch(listener: () => void): void;
  /**
   * Checks a host for registration (keyscan, configured host keys among the scanned ones,
   * §3B.2) and returns the node fields to register it with; throws HostCheckError.
   */
  register(host: InventoryHost, signal: AbortSignal): Promise<LaunchedNodeFields>;
  /** Liveness before a ready node of the host is handed out (§3B.4); false marks the host down. */
  reachable(host: InventoryHost, signal: AbortSignal): Promise<boolean>;
}

// ---- images, quota, leaks ----------------------------------------------------------------

/** An image the builder uploads (behaviour.md §4.4). */
export interface ImageUploadSpec {
  /** Cloud image name (from image-name-format); not unique in the cloud. */
  name: string;
  filename: string;
  format: string;
  /** Image properties: the provider diskimage `meta` plus nodepool_build_id/upload_id. */
  meta: Readonly<Record<string, string>>;
  md5?: string;
  sha256?: string;
}

export interface CloudImage {
  id: ImageId;
  name: string;
  status: "queued" | "active" | "error";
  properties: Readonly<Record<string, string>>;
}

/**
 * Called by an upload with the cloud's image id as soon as the image exists, before its data
 * is sent or it becomes active, so the id is recorded before it can be lost and a crash or
 * failure leaves an upload record that cleanup deletes by id.
 */
export type UploadCheckpoint = (id: ImageId) => Promise<void>;

/** Taking the builder's images (behaviour.md §4.4). */
export interface ImageStore {
  /** The disk format the builder must produce for this provider (`qcow2`, `vhd`, `raw`). */
  readonly format: string;
  /** Uploads and waits until the image is active; throws ImageUploadError. */
  uploadImage(spec: ImageUploadSpec, checkpoint: UploadCheckpoint, signal: AbortSignal): Promise<{ externalId: ImageId }>;
  /** Deletes an image by id; a missing image counts as deleted. */
  deleteImage(id: ImageId, signal: AbortSignal): Promise<void>;
  listImages(signal: AbortSignal): Promise<CloudImage[]>;
}

/** The cloud's own limits (behaviour.md §2.12). */
export interface QuotaSource {
  /** −1 in the cloud becomes `Infinity`. */
  limits(signal: AbortSignal): Promise<Resources>;
}

/** Counts of leaked resources removed by one cleanup pass (behaviour.md §2.18, §7.5). */
export interface LeakCleanupResult {
  ports: number;
  floatingIps: number;
}

/** Leaked cloud resources the engine does not track itself; leaked servers are the engine's to decide. */
export interface LeakCleaner {
  cleanupLeakedResources(signal: AbortSignal): Promise<LeakCleanupResult>;
}

/**
 * One configured provider. Its optional members are its abilities, present exactly when its
 * traits declare them (`launch` → servers, `inventory`, `images`, `quota`, `leaks`).
 */
export interface Provider {
  readonly name: string;
  readonly traits: ProviderTraits;
  /** Connects (authenticates, reads the catalog, ...); throws when the provider cannot work. */
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  readonly servers?: ServerLauncher;
  readonly inventory?: HostInventory;
  readonly images?: ImageStore;
  readonly quota?: QuotaSource;
  readonly leaks?: LeakCleaner;
}

/**
 * How a launch ended: the result classes of behaviour.md §3.3, which are also the statsd key
 * suffixes of §7.4, and `abandoned`, a launch given up at a graceful stop (§8.1). The spec
 * has no class for that one: it is logged, never counted as a launch result.
 */
export type LaunchResultClass =
  | "ready"
  | "abandoned"
  | "error.zksession"
  | "error.quota"
  | "error.nodepool"
  | "error.status"
  | "error.network"
  | "error.keyscan"
  | "error.ssh"
  | "error.serverdelete"
  | "error.ipadd"
  | "error.imagetimeout"
  | "error.unknown";

export type LaunchErrorClass = Exclude<LaunchResultClass, "ready" | "abandoned">;

/** One request a driver made to its cloud's API (behaviour: the cloud API call duration metric). */
export interface ApiCall {
  /** What was asked, in the API's words: `create-server`, `list-servers`, `upload-image`, ... */
  readonly operation: string;
  readonly seconds: number;
  /** False when the call threw or the cloud answered with an error. */
  readonly ok: boolean;
}

/** Where a driver reports its API calls; bound to one provider by the engine. */
export type ApiCallSink = (call: ApiCall) => void;

/** Runs one cloud API call and reports its duration and outcome to `sink`. */
export async function timedApiCall<T>(sink: ApiCallSink | undefined, operation: string, call: () => T | Promise<T>): Promise<T> {
  if (sink === undefined) return call();
  const started = performance.now();
  let ok = false;
  try {
    const result = await call();
    ok = true;
    return result;
  } finally {
    sink({ operation, seconds: (performance.now() - started) / 1000, ok });
  }
}

/** A failed launch attempt; `externalId` is set when a server was created anyway. */
export class LaunchError extends NodepoolError {
  readonly code: string;
  readonly result: LaunchErrorClass;
  readonly externalId: ServerId | null;

  constructor(result: LaunchErrorClass, message: string, options?: ErrorOptions & { externalId?: ServerId | null }) {
    super(message, options);
    this.result = result;
    this.code = `launch.${result}`;
    this.externalId = options?.externalId ?? null;
  }
}

/** The message of anything thrown, for an error that wraps it. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The cloud refused because a quota is exhausted: the node is aborted, not failed (§3.2). */
export class QuotaExceededError extends LaunchError {
  constructor(message: string, options?: ErrorOptions & { externalId?: ServerId | null }) {
    super("error.quota", message, options);
  }
}

/** A call the cloud rejected or could not complete (other than a launch). */
export class CloudError extends NodepoolError {
  readonly code = "driver.cloud";
}

/** An image upload the cloud failed. */
export class ImageUploadError extends NodepoolError {
  readonly code = "driver.image-upload";
}

/** A driver asked for an operation it does not support (e.g. launching on a static provider). */
export class UnsupportedOperationError extends NodepoolError {
  readonly code = "driver.unsupported";
}

/** An inventory host failed its registration check (unreachable, host key mismatch, §3B.2). */
export class HostCheckError extends NodepoolError {
  readonly code = "driver.host-check";
}
