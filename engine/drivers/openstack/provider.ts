/**
 * The `openstack` provider (behaviour.md §3.1, §2.18, §4.4): Nodepool's config and records
 * mapped onto the cloud calls of ./cloud.ts. Credentials come from clouds.yaml (`cloud:`,
 * `region-name`); every API call waits for the provider's `rate` and is reported on
 * `apiCallEvents` for the `nodepool.task.<provider>.<Operation>` timers.
 */
import type { OpenstackPoolConfig, OpenstackPoolLabelConfig, OpenstackProviderConfig } from "../../../schema/index.ts";
import { createLogger, type Logger } from "../../log.ts";
import {
  CloudError,
  ImageUploadError,
  LaunchError,
  messageOf,
  QuotaExceededError,
  type CloudImage,
  type ImageId,
  type ImageStore,
  type ImageUploadSpec,
  type LaunchCheckpoint,
  type LaunchedNodeFields,
  type LaunchSpec,
  type LeakCleaner,
  type LeakCleanupResult,
  type Provider,
  type ProviderTraits,
  type QuotaSource,
  type Resources,
  type Server,
  type ServerId,
  type ServerLauncher,
  type ServerStatus,
  type UploadCheckpoint,
  type ApiCallSink,
} from "../driver.ts";
import { cloudTraits } from "../traits.ts";
import { apiCallEvents } from "../api-calls.ts";
import { selectFlavor } from "../flavor.ts";
import { serverIdentity } from "../server-identity.ts";
import { needsFloatingIp } from "./addresses.ts";
import { OpenStackClient } from "./client.ts";
import { loadCloudConfig, type CloudConfig } from "./clouds-config.ts";
import { OpenStackCloud, ServerFailedError } from "./cloud.ts";
import { OpenStackApiError, OpenStackQuotaError } from "./errors.ts";
import { HostUnreachableError, scanHostKeys } from "./host-keys.ts";
import type { NovaFlavor, NovaServer } from "./nova.ts";

/** DOWN ports are removed only after they stayed DOWN this long (§2.18). */
const PORT_CLEANUP_AGE_S = 180;
/** How long a deletion waits for the server to go (§2.16). */
const DELETE_TIMEOUT_S = 600;
/** Connection types whose keyscan gathers host keys; others only check the port answers. */
const KEY_TYPES: ReadonlySet<string> = new Set(["ssh", "network_cli"]);
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface OpenStackProviderOptions {
  log?: Logger;
  /** Where each API call is reported besides the statsd timers (the Prometheus metrics). */
  apiCalls?: ApiCallSink;
  /** Where clouds.yaml is looked for; the process's environment by default. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Interval of the shared server listing while launches or deletions wait (default 1 s). */
  pollIntervalMs?: number;
}

/** A signal that aborts after `seconds` or with `caller`; `expired` tells which. */
function deadline(seconds: number, caller?: AbortSignal): { signal: AbortSignal; expired: () => boolean } {
  const own = AbortSignal.timeout(Math.min(seconds * 1000, MAX_TIMER_MS));
  return { signal: caller ? AbortSignal.any([caller, own]) : own, expired: () => own.aborted && !caller?.aborted };
}

function novaStatus(status: string): ServerStatus {
  if (status === "BUILD" || status === "REBUILD") return "BUILD";
  return status === "ERROR" ? "ERROR" : "ACTIVE";
}

/** A cloud: every ability but an inventory of existing hosts. */
export class OpenStackProvider implements Provider, ServerLauncher, ImageStore, QuotaSource, LeakCleaner {
  readonly traits: ProviderTraits;
  readonly servers = this;
  readonly images = this;
  readonly quota = this;
  readonly leaks = this;
  private readonly log: Logger;
  private cloudConfig: CloudConfig | null = null;
  private cloud: OpenStackCloud | null = null;
  private downPorts: { at: number; ports: Set<string> } | null = null;
  /** Seconds a port must stay DOWN before cleanup removes it; tests lower it. */
  portCleanupAge = PORT_CLEANUP_AGE_S;

  constructor(
    readonly config: OpenstackProviderConfig,
    private readonly options: OpenStackProviderOptions = {},
  ) {
    this.log = options.log ?? createLogger({ name: "openstack" });
    this.traits = cloudTraits(config);
  }

  get name(): string {
    return this.config.name;
  }

  /** The cloud's `image_format` (qcow2 unless clouds.yaml says otherwise). */
  get format(): string {
    try {
      return this.resolveCloudConfig().imageFormat;
    } catch {
      return "qcow2";
    }
  }

  /** The client's calls so far, by operation (API calls per node in benchmarks). */
  get apiCalls(): ReadonlyMap<string, number> {
    return this.cloud?.client.calls ?? new Map();
  }

  /** Reads clouds.yaml and authenticates: bad credentials or an unreachable cloud fail here. */
  async start(signal: AbortSignal): Promise<void> {
    const client = new OpenStackClient(this.resolveCloudConfig(), {
      rate: this.config.rate,
      onCall: (call) => {
        apiCallEvents.emit("call", { provider: this.name, operation: call.operation, ms: call.ms, status: call.status });
        this.options.apiCalls?.({ operation: call.operation, seconds: call.ms / 1000, ok: call.status !== null && call.status < 400 });
      },
    });
    try {
      await client.session.authenticate(signal);
    } catch (error) {
      await client.close();
      throw error;
    }
    this.cloud = new OpenStackCloud(client, { provider: this.name, log: this.log, pollIntervalMs: this.options.pollIntervalMs ?? 1000 });
  }

  async stop(): Promise<void> {
    const cloud = this.cloud;
    this.cloud = null;
    await cloud?.client.close();
  }

  async limits(signal: AbortSignal): Promise<Resources> {
    const limits = await this.started().client.nova.limits(signal);
    const value = (n: number): number => (n < 0 ? Infinity : n);
    return { instances: value(limits.maxTotalInstances), cores: value(limits.maxTotalCores), ram: value(limits.maxTotalRAMSize) };
  }

  async labelResources(pool: string, label: string, signal: AbortSignal): Promise<Resources> {
    const flavor = await this.flavorFor(this.poolLabel(pool, label), signal);
    return { cores: flavor.vcpus, instances: 1, ram: flavor.ram };
  }

  availabilityZones(signal: AbortSignal): Promise<string[]> {
    return this.started().availabilityZones(signal);
  }

  async cloudImageAvailable(cloudImage: string, signal: AbortSignal): Promise<boolean> {
    const entry = this.config["cloud-images"].find((c) => c.name === cloudImage);
    if (!entry) return false;
    if (entry["image-id"] !== undefined) return true;
    return (await this.started().imageId(entry["image-name"] ?? entry.name, signal)) !== null;
  }

  async listServers(signal: AbortSignal): Promise<Server[]> {
    signal.throwIfAborted();
    const { items } = await this.started().serverListing.next();
    return items.filter((s) => s.status !== "DELETED" && s.status !== "SOFT_DELETED").map((s) => this.toServer(s));
  }

  async launch(spec: LaunchSpec, checkpoint: LaunchCheckpoint, signal: AbortSignal): Promise<LaunchedNodeFields> {
    const cloud = this.started();
    const pool = this.config.pools.find((p) => p.name === spec.pool);
    if (!pool) throw new LaunchError("error.unknown", `pool ${spec.pool} is not configured for provider ${this.name}`);
    const label = this.poolLabel(spec.pool, spec.label);
    const boot = await this.bootImage(spec, label, signal);
    const flavor = await this.flavorFor(label, signal);
    const { hostname, metadata } = serverIdentity({ provider: this.config, pool: pool.name, label, nodeId: spec.nodeId, imageName: boot.imageName });
    const networks = await Promise.all(pool.networks.map((n) => cloud.networkId(n, signal))).catch((error: unknown) => {
      throw new LaunchError("error.network", `provider ${this.name} pool ${pool.name}: ${messageOf(error)}`, { cause: error });
    });
    const resources = { cores: flavor.vcpus, instances: 1, ram: flavor.ram };
    let id: ServerId;
    try {
      id = (await cloud.createServer(
        {
          name: hostname,
          flavorRef: flavor.id,
          imageRef: label["boot-from-volume"] ? null : boot.imageId,
          networks,
          securityGroups: pool["security-groups"],
          availabilityZone: spec.az,
          keyName: label["key-name"] ?? null,
          userData: label.userdata ?? null,
          configDrive: boot.configDrive,
          metadata,
          volume: label["boot-from-volume"] ? { imageRef: boot.imageId, size: label["volume-size"] } : null,
        },
        signal,
      )) as ServerId;
    } catch (error) {
      if (error instanceof OpenStackQuotaError) throw new QuotaExceededError(`provider ${this.name}: ${error.cloudMessage}`, { cause: error });
      // A refusal may come from a stale flavor, image or AZ: look them up again next time (§3.1 step 3).
      if (error instanceof OpenStackApiError && error.status === 400) cloud.forgetCaches();
      throw new LaunchError("error.unknown", `provider ${this.name}: creating server ${hostname} failed: ${messageOf(error)}`, { cause: error });
    }
    const fields: LaunchedNodeFields = {
      external_id: id,
      hostname,
      image_id: boot.imageIdRecorded,
      username: boot.username,
      connection_type: boot.connectionType,
      connection_port: boot.connectionPort,
      resources,
      az: spec.az,
      cloud: this.config.cloud,
      region: this.resolveCloudConfig().region,
      host_id: null,
      interface_ip: null,
      public_ipv4: null,
      public_ipv6: null,
      private_ipv4: null,
      host_keys: [],
    };
    await checkpoint({ external_id: id, hostname, image_id: fields.image_id, resources, username: boot.username ?? undefined });
    const server = await this.waitBooted(id, signal);
    fields.az = fields.az ?? server["OS-EXT-AZ:availability_zone"] ?? null;
    fields.host_id = server.hostId ?? null;
    let addresses = cloud.addresses(server);
    if (pool["auto-floating-ip"] && needsFloatingIp(addresses) && (await cloud.floatingNetwork(signal))) {
      try {
        const fip = await cloud.attachFloatingIp(server, addresses.privateV4, signal);
        addresses = cloud.addresses(server, fip.floating_ip_address);
      } catch (error) {
        if (error instanceof OpenStackQuotaError) throw new QuotaExceededError(`provider ${this.name}: ${error.cloudMessage}`, { cause: error, externalId: id });
        throw new LaunchError("error.ipadd", `provider ${this.name}: attaching a floating IP to server ${id} failed: ${messageOf(error)}`, { cause: error, externalId: id });
      }
    }
    if (!addresses.interfaceIp) throw new LaunchError("error.network", `server ${id} has no usable IP address`, { externalId: id });
    fields.interface_ip = addresses.interfaceIp;
    fields.public_ipv4 = addresses.publicV4;
    fields.public_ipv6 = addresses.publicV6;
    fields.private_ipv4 = addresses.privateV4 || addresses.publicV4;
    if (pool["host-key-checking"]) fields.host_keys = await this.scan(id, label, fields, boot.connectionType, signal);
    return fields;
  }

  async deleteServer(id: ServerId, signal: AbortSignal): Promise<void> {
    const cloud = this.started();
    const wait = deadline(DELETE_TIMEOUT_S, signal);
    try {
      await cloud.deleteServer(id, wait.signal);
      await cloud.waitGone(id, wait.signal);
    } catch (error) {
      if (wait.expired()) throw new CloudError(`provider ${this.name}: server ${id} was still there ${DELETE_TIMEOUT_S} s after its deletion`, { cause: error });
      throw error;
    }
  }

  async cleanupLeakedResources(signal: AbortSignal): Promise<LeakCleanupResult> {
    const cloud = this.started();
    const now = Date.now() / 1000;
    let ports = 0;
    if (this.downPorts === null) {
      this.downPorts = { at: now, ports: await cloud.downComputePorts(signal) };
    } else if (now - this.downPorts.at > this.portCleanupAge) {
      const down = await cloud.downComputePorts(signal);
      ports = await cloud.deletePorts([...down].filter((p) => this.downPorts?.ports.has(p)), signal);
      this.downPorts = { at: now, ports: await cloud.downComputePorts(signal) };
    }
    const floatingIps = this.config["clean-floating-ips"] ? await cloud.deleteUnattachedFloatingIps(signal) : 0;
    return { ports, floatingIps };
  }

  /**
   * Streams the file to Glance and waits until the image is active. The image id reaches
   * `checkpoint` before any data is sent; on failure the engine deletes the image by it.
   */
  async uploadImage(spec: ImageUploadSpec, checkpoint: UploadCheckpoint, signal: AbortSignal): Promise<{ externalId: ImageId }> {
    const properties = { ...spec.meta, nodepool_provider_name: this.name };
    try {
      const image = await this.started().uploadImage(spec.name, spec.filename, spec.format, properties, (id) => checkpoint(id as ImageId), signal);
      return { externalId: image.id as ImageId };
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ImageUploadError(`provider ${this.name}: uploading ${spec.filename} as image ${spec.name} failed: ${messageOf(error)}`, { cause: error });
    }
  }

  deleteImage(id: ImageId, signal: AbortSignal): Promise<void> {
    return this.started().deleteImage(id, signal);
  }

  /** The images of the cloud project (Glance lists others' public images too; they are left out). */
  async listImages(signal: AbortSignal): Promise<CloudImage[]> {
    return (await this.started().ownImages(signal)).map((image) => ({
      id: image.id as ImageId,
      name: image.name,
      status: image.status === "active" ? "active" : image.status === "queued" || image.status === "saving" || image.status === "importing" ? "queued" : "error",
      properties: image.properties,
    }));
  }

  private started(): OpenStackCloud {
    if (!this.cloud) throw new CloudError(`provider ${this.name} is not started`);
    return this.cloud;
  }

  private resolveCloudConfig(): CloudConfig {
    this.cloudConfig ??= loadCloudConfig(this.config.cloud, this.config["region-name"] ?? null, this.options.env, this.options.cwd);
    return this.cloudConfig;
  }

  private toServer(s: NovaServer): Server {
    return {
      id: s.id as ServerId,
      name: s.name,
      status: novaStatus(s.status),
      metadata: s.metadata,
      az: s["OS-EXT-AZ:availability_zone"] || null,
      resources: { instances: 1, cores: s.flavor?.vcpus ?? 0, ram: s.flavor?.ram ?? 0 },
    };
  }

  private async waitBooted(id: ServerId, caller?: AbortSignal): Promise<NovaServer> {
    const timeout = this.config["launch-timeout"];
    const wait = deadline(timeout, caller);
    try {
      return await this.started().waitBooted(id, wait.signal);
    } catch (error) {
      if (wait.expired()) throw new LaunchError("error.status", `server ${id} did not become ACTIVE within launch-timeout ${timeout} s`, { cause: error, externalId: id });
      if (error instanceof ServerFailedError) throw new LaunchError("error.status", error.message, { cause: error, externalId: id });
      if (caller?.aborted) throw error;
      throw new LaunchError("error.unknown", `waiting for server ${id} failed: ${messageOf(error)}`, { cause: error, externalId: id });
    }
  }

  private async scan(id: ServerId, label: OpenstackPoolLabelConfig, fields: LaunchedNodeFields, connectionType: string, caller?: AbortSignal): Promise<string[]> {
    const timeout = this.config["boot-timeout"];
    const wait = deadline(timeout, caller);
    const withKeys = KEY_TYPES.has(connectionType);
    const address = `${fields.interface_ip}:${fields.connection_port}`;
    let keys: string[];
    try {
      keys = await scanHostKeys(fields.interface_ip ?? "", fields.connection_port, withKeys, wait.signal);
    } catch (error) {
      if (caller?.aborted) throw error;
      if (label["console-log"]) {
        const console = await this.started().client.nova.consoleLog(id).catch((e: unknown) => `(console unavailable: ${messageOf(e)})`);
        this.log.info({ provider: this.name, server: id, console }, "console log of a server that did not answer");
      }
      const why = error instanceof HostUnreachableError ? error.message : messageOf(error);
      throw new LaunchError("error.ssh", `server ${id} did not answer on ${address} within boot-timeout ${timeout} s: ${why}`, { cause: error, externalId: id });
    }
    if (withKeys && keys.length === 0) throw new LaunchError("error.keyscan", `server ${id} answered on ${address} but offered no host key`, { externalId: id });
    return keys;
  }

  private poolLabel(pool: string, label: string): OpenstackPoolLabelConfig {
    const found = this.config.pools.find((p: OpenstackPoolConfig) => p.name === pool)?.labels.find((l) => l.name === label);
    if (!found) throw new LaunchError("error.unknown", `label ${label} is not offered by pool ${pool} of provider ${this.name}`);
    return found;
  }

  private async flavorFor(label: OpenstackPoolLabelConfig, signal: AbortSignal): Promise<NovaFlavor> {
    const flavor = selectFlavor(await this.started().flavors(signal), label["min-ram"], label["flavor-name"]);
    if (!flavor) {
      throw new LaunchError("error.unknown", `no flavor of provider ${this.name} matches label ${label.name} (min-ram ${label["min-ram"]}, flavor-name ${label["flavor-name"] ?? "unset"})`);
    }
    return flavor;
  }

  private async bootImage(spec: LaunchSpec, label: OpenstackPoolLabelConfig, signal: AbortSignal) {
    if (label.diskimage !== undefined) {
      if (spec.image?.kind !== "diskimage") {
        throw new LaunchError("error.nodepool", `no ready upload of diskimage ${label.diskimage} to provider ${this.name}`);
      }
      const entry = this.config.diskimages.find((d) => d.name === label.diskimage);
      return {
        imageId: spec.image.externalId,
        imageName: label.diskimage,
        imageIdRecorded: spec.image.uploadPath,
        username: spec.image.username,
        connectionType: entry?.["connection-type"] ?? "ssh",
        connectionPort: entry?.["connection-port"] ?? 22,
        configDrive: entry?.["config-drive"] ?? null,
      };
    }
    const name = label["cloud-image"] ?? "";
    const entry = this.config["cloud-images"].find((c) => c.name === name);
    if (!entry) throw new LaunchError("error.unknown", `cloud-image ${name} is not configured for provider ${this.name}`);
    const imageId = entry["image-id"] ?? (await this.started().imageId(entry["image-name"] ?? entry.name, signal));
    if (imageId === null) throw new LaunchError("error.unknown", `cloud image ${entry["image-name"] ?? entry.name} not found in provider ${this.name}`);
    return {
      imageId,
      imageName: name,
      imageIdRecorded: name,
      username: entry.username ?? null,
      connectionType: entry["connection-type"],
      connectionPort: entry["connection-port"],
      configDrive: entry["config-drive"] ?? null,
    };
  }
}
