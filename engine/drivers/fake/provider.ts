/**
 * The `fake` provider: behaves like the OpenStack driver (behaviour.md §3.1, §3.5, §2.18) but
 * talks to the in-process fake cloud of ./cloud.ts. Selected with `driver: fake`.
 */
import type { FakeProviderConfig, OpenstackPoolLabelConfig } from "../../../schema/index.ts";
import {
  CloudError,
  LaunchError,
  messageOf,
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
  type ApiCallSink,
  type ProviderTraits,
  type QuotaSource,
  type Resources,
  type Server,
  type ServerId,
  type ServerLauncher,
  type UploadCheckpoint,
  timedApiCall,
} from "../driver.ts";
import { cloudTraits } from "../traits.ts";
import { defaultFakeCloudSettings, fakeCloud, type FakeCloud, type FakeCloudSettings, type FakeFlavor } from "./cloud.ts";
import { selectFlavor } from "../flavor.ts";
import { serverIdentity } from "../server-identity.ts";
import { keyscan, waitForActive } from "./timeouts.ts";

/** DOWN ports are removed only after they stayed DOWN this long (§2.18). */
const PORT_CLEANUP_AGE_S = 180;

export function fakeCloudSettings(config: FakeProviderConfig): FakeCloudSettings {
  const c = config["fake-cloud"];
  if (!c) return defaultFakeCloudSettings;
  return {
    maxInstances: c["max-instances"],
    maxCores: c["max-cores"],
    maxRam: c["max-ram"],
    bootDelay: c["boot-delay"],
    launchFailureRate: c["launch-failure-rate"],
  };
}

/** A cloud: every ability but an inventory of existing hosts. */
export class FakeProvider implements Provider, ServerLauncher, ImageStore, QuotaSource, LeakCleaner {
  readonly traits: ProviderTraits;
  readonly servers = this;
  readonly images = this;
  readonly quota = this;
  readonly leaks = this;
  readonly format: string;
  readonly cloud: FakeCloud;
  /** Seconds a port must stay DOWN before cleanup removes it; tests lower it. */
  portCleanupAge = PORT_CLEANUP_AGE_S;
  private downPorts: { at: number; ports: Set<string> } | null = null;

  constructor(
    readonly config: FakeProviderConfig,
    /** Where its simulated cloud API calls are reported. */
    private readonly apiCalls?: ApiCallSink,
  ) {
    this.cloud = fakeCloud(config.name, fakeCloudSettings(config));
    this.traits = cloudTraits(config);
    this.format = config.cloud === "fake-vhd" ? "vhd" : "qcow2";
  }

  get name(): string {
    return this.config.name;
  }

  async start(_signal: AbortSignal): Promise<void> {
    this.cloud.connect();
  }

  async stop(): Promise<void> {}

  async limits(_signal: AbortSignal): Promise<Resources> {
    return this.call("get-limits", () => ({ ...this.cloud.limits }));
  }

  async labelResources(pool: string, label: string, _signal: AbortSignal): Promise<Resources> {
    const flavor = this.flavorFor(this.poolLabel(pool, label));
    return { cores: flavor.vcpus, instances: 1, ram: flavor.ram };
  }

  async availabilityZones(_signal: AbortSignal): Promise<string[]> {
    return [...this.cloud.azs];
  }

  async cloudImageAvailable(cloudImage: string, _signal: AbortSignal): Promise<boolean> {
    const entry = this.config["cloud-images"].find((c) => c.name === cloudImage);
    if (!entry) return false;
    if (entry["image-id"] !== undefined) return true;
    return this.cloud.findImage(entry["image-name"] ?? entry.name) !== undefined;
  }

  async listServers(_signal: AbortSignal): Promise<Server[]> {
    return this.call("list-servers", () => [...this.cloud.servers.values()]);
  }

  async launch(spec: LaunchSpec, checkpoint: LaunchCheckpoint, signal: AbortSignal): Promise<LaunchedNodeFields> {
    const poolConfig = this.config.pools.find((p) => p.name === spec.pool);
    if (!poolConfig) throw new LaunchError("error.unknown", `pool ${spec.pool} is not configured for provider ${this.name}`);
    const label = this.poolLabel(spec.pool, spec.label);
    const boot = this.bootImage(spec, label);
    const flavor = this.flavorFor(label);
    const { hostname, metadata } = serverIdentity({ provider: this.config, pool: poolConfig.name, label, nodeId: spec.nodeId, imageName: boot.imageName });
    let server;
    try {
      server = await this.call("create-server", () => this.cloud.createServer({
        name: hostname,
        imageId: boot.imageId,
        flavor,
        az: spec.az,
        metadata,
        networks: poolConfig.networks,
        securityGroups: poolConfig["security-groups"],
        userdata: label.userdata ?? null,
        keyName: label["key-name"] ?? null,
        bootFromVolume: label["boot-from-volume"],
        autoFloatingIp: poolConfig["auto-floating-ip"],
      }));
    } catch (error) {
      if (error instanceof LaunchError) throw error;
      throw new LaunchError("error.unknown", `creating server ${hostname} failed: ${messageOf(error)}`, { cause: error });
    }
    const fields: LaunchedNodeFields = {
      external_id: server.id,
      hostname,
      image_id: boot.imageIdRecorded,
      username: boot.username,
      connection_type: boot.connectionType,
      connection_port: boot.connectionPort,
      resources: { cores: flavor.vcpus, instances: 1, ram: flavor.ram },
      az: spec.az,
      cloud: this.config.cloud,
      region: this.config["region-name"] ?? null,
      host_id: null,
      interface_ip: null,
      public_ipv4: null,
      public_ipv6: null,
      private_ipv4: null,
      host_keys: [],
    };
    await checkpoint({ external_id: server.id, hostname, image_id: fields.image_id, resources: fields.resources });
    const active = await waitForActive(this.cloud, server.id, this.config["launch-timeout"], signal);
    if (active.status !== "ACTIVE") {
      throw new LaunchError("error.status", `server ${server.id} is ${active.status}, not ACTIVE`, { externalId: server.id });
    }
    fields.az = fields.az ?? active.az;
    if (!active.interfaceIp) throw new LaunchError("error.network", `server ${server.id} has no usable IP`, { externalId: server.id });
    fields.host_id = active.hostId;
    fields.interface_ip = active.interfaceIp;
    fields.public_ipv4 = active.publicV4;
    fields.public_ipv6 = active.publicV6;
    fields.private_ipv4 = active.privateV4 || active.publicV4;
    if (poolConfig["host-key-checking"]) {
      const connection = { type: boot.connectionType, port: boot.connectionPort };
      fields.host_keys = await keyscan(this.cloud, active, connection, this.config["boot-timeout"], signal);
    }
    return fields;
  }

  async deleteServer(id: ServerId, _signal: AbortSignal): Promise<void> {
    await this.call("delete-server", () => this.cloud.deleteServer(id));
    if (this.cloud.servers.has(id)) throw new CloudError(`server ${id} still exists after deletion`);
  }

  async cleanupLeakedResources(_signal: AbortSignal): Promise<LeakCleanupResult> {
    const now = Date.now() / 1000;
    let ports = 0;
    if (this.downPorts === null) {
      this.downPorts = { at: now, ports: new Set(this.cloud.downComputePorts()) };
    } else if (now - this.downPorts.at > this.portCleanupAge) {
      ports = this.cloud.deleteDownPorts(this.downPorts.ports);
      this.downPorts = { at: now, ports: new Set(this.cloud.downComputePorts()) };
    }
    return { ports, floatingIps: 0 };
  }

  async uploadImage(spec: ImageUploadSpec, checkpoint: UploadCheckpoint, _signal: AbortSignal): Promise<{ externalId: ImageId }> {
    const { id } = await this.call("upload-image", () => this.cloud.uploadImage(spec.name, spec.meta));
    await checkpoint(id);
    return { externalId: id };
  }

  async deleteImage(id: ImageId, _signal: AbortSignal): Promise<void> {
    if (this.cloud.images.has(id)) await this.call("delete-image", () => this.cloud.deleteImage(id));
  }

  async listImages(_signal: AbortSignal): Promise<CloudImage[]> {
    return this.call("list-images", () => [...this.cloud.images.values()]);
  }

  /** One call to the simulated cloud's API, reported like a real driver's. */
  private call<T>(operation: string, call: () => T): Promise<T> {
    return timedApiCall(this.apiCalls, operation, call);
  }

  private poolLabel(pool: string, label: string): OpenstackPoolLabelConfig {
    const found = this.config.pools.find((p) => p.name === pool)?.labels.find((l) => l.name === label);
    if (!found) throw new LaunchError("error.unknown", `label ${label} is not offered by pool ${pool} of provider ${this.name}`);
    return found;
  }

  private flavorFor(label: OpenstackPoolLabelConfig): FakeFlavor {
    const flavor = selectFlavor(this.cloud.flavors, label["min-ram"], label["flavor-name"]);
    if (!flavor) {
      throw new LaunchError("error.unknown", `no flavor of provider ${this.name} matches label ${label.name} (min-ram ${label["min-ram"]}, flavor-name ${label["flavor-name"] ?? "unset"})`);
    }
    return flavor;
  }

  private bootImage(spec: LaunchSpec, label: OpenstackPoolLabelConfig) {
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
      };
    }
    const name = label["cloud-image"] ?? "";
    const entry = this.config["cloud-images"].find((c) => c.name === name);
    if (!entry) throw new LaunchError("error.unknown", `cloud-image ${name} is not configured for provider ${this.name}`);
    let imageId = entry["image-id"];
    if (imageId === undefined) {
      const found = this.cloud.findImage(entry["image-name"] ?? entry.name);
      if (!found) throw new LaunchError("error.unknown", `cloud image ${entry["image-name"] ?? entry.name} not found in provider ${this.name}`);
      imageId = found.id;
    }
    return {
      imageId,
      imageName: name,
      imageIdRecorded: name,
      username: entry.username ?? null,
      connectionType: entry["connection-type"],
      connectionPort: entry["connection-port"],
    };
  }
}
