/**
 * The provider interface: the only seam between the engine and a cloud (or a set of fixed
 * machines). One object per configured provider, built by a driver factory from that
 * provider's config. The launcher calls launch, delete, list servers, quota and leak cleanup;
 * the builder calls the image operations. Decisions stay in the engine: a driver answers
 * questions and performs one side effect per call, and reports failure with the typed errors
 * below so the engine can classify a launch (behaviour.md §3.3).
 */
import { NodepoolError } from "../errors.ts";

/** A cloud-side server id (OpenStack server UUID, ...). */
export type ServerId = string & { readonly __brand: "ServerId" };

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
  /** Aborts the attempt (launcher stopping, session lost); launch-timeout and boot-timeout are the driver's own. */
  signal?: AbortSignal;
}

/** Node record fields a launch learns, in the record's own key names (zookeeper.md §2.3). */
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

/** An image the builder uploads (behaviour.md §4.4). */
export interface ImageUploadSpec {
  /** Cloud image name (from image-name-format). */
  name: string;
  filename: string;
  format: string;
  /** Image properties: the provider diskimage `meta` plus nodepool_build_id/upload_id. */
  meta: Readonly<Record<string, string>>;
  md5?: string;
  sha256?: string;
}

export interface CloudImage {
  id: string;
  name: string;
  status: "queued" | "active" | "error";
  properties: Readonly<Record<string, string>>;
}

/** Counts of leaked resources removed by one cleanup pass (behaviour.md §2.18, §7.5). */
export interface LeakCleanupResult {
  ports: number;
  floatingIps: number;
}

export interface Provider {
  readonly name: string;
  /** The driver name from config (`fake`, `openstack`, `static`, ...). */
  readonly driver: string;
  /** Whether nodes are launched (clouds) or only reused (static machines). */
  readonly canLaunch: boolean;
  /** Whether the builder uploads images to this provider. */
  readonly managesImages: boolean;
  /** The format the builder must produce for this provider (`qcow2`, `vhd`, `raw`). */
  readonly imageFormat: string;

  start(): Promise<void>;
  stop(): Promise<void>;

  // Launcher side.
  /** The cloud's own limits (−1 in the cloud becomes `Infinity`). */
  limits(): Promise<Resources>;
  /** Resources one node of this pool label consumes (its flavor), behaviour.md §3.5. */
  labelResources(pool: string, label: string): Promise<Resources>;
  /** Availability zones the cloud offers; empty when the cloud has none. */
  availabilityZones(): Promise<string[]>;
  /** Whether a cloud-image label's image exists (always true when configured by id). */
  cloudImageAvailable(cloudImage: string): Promise<boolean>;
  listServers(): Promise<Server[]>;
  /** One launch attempt (behaviour.md §3.1); throws LaunchError on failure. */
  launch(spec: LaunchSpec, checkpoint: LaunchCheckpoint): Promise<LaunchedNodeFields>;
  /** Deletes a server and waits until it is gone; a server that does not exist counts as deleted. */
  deleteServer(id: ServerId): Promise<void>;
  /** Removes leaked ports and floating IPs; leaked servers are decided by the engine. */
  cleanupLeakedResources(): Promise<LeakCleanupResult>;

  // Builder side.
  uploadImage(spec: ImageUploadSpec): Promise<{ externalId: string }>;
  /** Deletes a cloud image by name; a missing image counts as deleted. */
  deleteImage(name: string): Promise<void>;
  listImages(): Promise<CloudImage[]>;
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

/** What the engine hands a driver factory besides the provider's config. */
export interface ProviderContext {
  /** Report every cloud API call here (absent: nobody measures). */
  readonly apiCalls?: ApiCallSink;
}

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
