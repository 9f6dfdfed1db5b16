/**
 * The fake cloud (behaviour.md §3C): an in-process, OpenStack-like simulated cloud with
 * compute limits, flavors, AZs, networks, servers that boot after a delay and answer a
 * keyscan, images, DOWN ports and failure injection. One cloud per provider name lives for the whole process, so
 * it outlives provider reconfiguration like a real cloud would; tests reach it through
 * `fakeCloud(name)` to inject failures or inspect servers.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter, once } from "node:events";
import type { Flavor } from "../flavor.ts";
import { CloudError, ImageUploadError, LaunchError, QuotaExceededError, type CloudImage, type ImageId, type Resources, type Server, type ServerId, type ServerStatus } from "../driver.ts";

export type FakeFlavor = Flavor;

export interface FakeNetwork {
  id: string;
  name: string;
}

export interface FakePort {
  id: string;
  status: "DOWN" | "ACTIVE";
  deviceOwner: string | null;
}

export interface FakeServer extends Server {
  flavor: FakeFlavor;
  imageId: string;
  networks: string[];
  securityGroups: string[];
  publicV4: string;
  privateV4: string;
  publicV6: string;
  interfaceIp: string;
  hostId: string;
  userdata: string | null;
  keyName: string | null;
  bootFromVolume: boolean;
}

/** The knobs of the optional `fake-cloud` mapping of a fake provider (defaults: §3C). */
export interface FakeCloudSettings {
  /** −1 or Infinity = unlimited. */
  maxInstances: number;
  maxCores: number;
  maxRam: number;
  /** Seconds from create to ACTIVE. */
  bootDelay: number;
  /** Probability in [0, 1] that a create fails with a plain error. */
  launchFailureRate: number;
}

export const defaultFakeCloudSettings: FakeCloudSettings = {
  maxInstances: 20,
  maxCores: 100,
  maxRam: 1_000_000,
  bootDelay: 0.1,
  launchFailureRate: 0,
};

export interface CreateServerOptions {
  name: string;
  imageId: string;
  flavor: FakeFlavor;
  az: string | null;
  metadata: Record<string, string>;
  networks: string[];
  securityGroups: string[];
  userdata: string | null;
  keyName: string | null;
  bootFromVolume: boolean;
  autoFloatingIp: boolean;
}

export const FAKE_IPV6_NETWORK = "fake-ipv6-network-name";

const unlimited = (n: number): number => (n < 0 ? Infinity : n);

export class FakeCloud {
  limits: Resources;
  bootDelay: number;
  launchFailureRate: number;
  azs: string[] = ["az1", "az2"];
  readonly flavors: FakeFlavor[] = [
    { id: "f1", name: "Fake Flavor", ram: 8192, vcpus: 4 },
    { id: "f2", name: "Unreal Flavor", ram: 8192, vcpus: 4 },
  ];
  readonly networks: FakeNetwork[] = [
    { id: "fake-public-network-uuid", name: "fake-public-network-name" },
    { id: "fake-private-network-uuid", name: "fake-private-network-name" },
    { id: "fake-ipv6-network-uuid", name: FAKE_IPV6_NETWORK },
  ];
  readonly servers = new Map<ServerId, FakeServer>();
  readonly images = new Map<string, CloudImage>([
    ["fake-image-id", { id: "fake-image-id" as ImageId, name: "Fake Precise", status: "active", properties: {} }],
  ]);
  readonly ports = new Map<string, FakePort>([
    ["1a", { id: "1a", status: "DOWN", deviceOwner: "compute:nova" }],
    ["2b", { id: "2b", status: "DOWN", deviceOwner: null }],
  ]);

  // Failure injection (§3C test hooks).
  /** Refuses this many connections (a provider's start), as a cloud with bad credentials or down does. */
  failConnects = 0;
  failCreates = 0;
  failCreatesLeavingServer = 0;
  failWaits = 0;
  failDeletes = 0;
  failUploads = 0;
  /** Deletion only turns the server to ERROR (scenario 45). */
  deleteLeavesError = false;
  /** Holds every server in BUILD until `releaseBuilds()`. */
  holdBuilds = false;
  /** No server answers a keyscan until `releaseKeyscans()` (ssh not up yet). */
  holdKeyscans = false;
  /** Every create call, successful or not, for tests to count attempts. */
  createCalls = 0;

  private readonly events = new EventEmitter();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(settings: FakeCloudSettings = defaultFakeCloudSettings) {
    this.limits = { cores: 0, instances: 0, ram: 0 };
    this.bootDelay = 0;
    this.launchFailureRate = 0;
    this.configure(settings);
    this.events.setMaxListeners(0);
  }

  /** A provider connecting (authentication, catalog): refused while `failConnects` lasts. */
  connect(): void {
    if (this.failConnects <= 0) return;
    this.failConnects -= 1;
    throw new CloudError("Fake cloud: authentication failed (injected)");
  }

  configure(settings: FakeCloudSettings): void {
    this.limits = {
      cores: unlimited(settings.maxCores),
      instances: unlimited(settings.maxInstances),
      ram: unlimited(settings.maxRam),
    };
    this.bootDelay = settings.bootDelay;
    this.launchFailureRate = settings.launchFailureRate;
  }

  createServer(options: CreateServerOptions): FakeServer {
    this.createCalls += 1;
    if (this.failCreates > 0) {
      this.failCreates -= 1;
      throw new CloudError("Fake cloud: server creation failed (injected)");
    }
    if (this.launchFailureRate > 0 && Math.random() < this.launchFailureRate) {
      throw new CloudError("Fake cloud: server creation failed (launch-failure-rate)");
    }
    if (options.az !== null && !this.azs.includes(options.az)) {
      throw new CloudError(`400 Bad Request: availability zone ${options.az} does not exist`);
    }
    this.checkQuota(options.flavor);
    const server = this.newServer(options);
    if (this.failCreatesLeavingServer > 0) {
      this.failCreatesLeavingServer -= 1;
      server.status = "ERROR";
      this.servers.set(server.id, server);
      throw new LaunchError("error.unknown", "Fake cloud: server creation failed after the server was created (injected)", {
        externalId: server.id,
      });
    }
    this.servers.set(server.id, server);
    this.scheduleActive(server);
    return server;
  }

  /** Adds a server directly, as if someone created it (a leaked or unmanaged server). */
  addServer(options: Partial<CreateServerOptions> & { status?: ServerStatus }): FakeServer {
    const flavor = options.flavor ?? this.flavors[0]!;
    const server = this.newServer({
      name: options.name ?? `server-${this.servers.size}`,
      imageId: options.imageId ?? "fake-image-id",
      flavor,
      az: options.az ?? null,
      metadata: options.metadata ?? {},
      networks: options.networks ?? [],
      securityGroups: options.securityGroups ?? [],
      userdata: null,
      keyName: null,
      bootFromVolume: false,
      autoFloatingIp: options.autoFloatingIp ?? true,
    });
    server.status = options.status ?? "ACTIVE";
    this.servers.set(server.id, server);
    return server;
  }

  /** Resolves once the server left BUILD (or rejects when `signal` aborts). */
  async waitForServer(id: ServerId, signal?: AbortSignal): Promise<FakeServer> {
    if (this.failWaits > 0) {
      this.failWaits -= 1;
      throw new CloudError("Fake cloud: waiting for the server failed (injected)");
    }
    for (;;) {
      const server = this.servers.get(id);
      if (!server) throw new CloudError(`Fake cloud: server ${id} disappeared while booting`);
      if (server.status !== "BUILD") return server;
      await once(this.events, `status:${id}`, signal ? { signal } : {});
    }
  }

  /**
   * Resolves once the server's connection port answers a keyscan: at once for the `fake`
   * addresses of §3.6 unless keyscans are held; rejects when `signal` aborts.
   */
  async waitReachable(id: ServerId, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const server = this.servers.get(id);
      if (!server) throw new CloudError(`Fake cloud: server ${id} disappeared before it answered`);
      if (!this.holdKeyscans && server.interfaceIp.includes("fake")) return;
      await once(this.events, `status:${id}`, signal ? { signal } : {});
    }
  }

  deleteServer(id: ServerId): void {
    if (this.failDeletes > 0) {
      this.failDeletes -= 1;
      throw new CloudError("Fake cloud: server deletion failed (injected)");
    }
    const server = this.servers.get(id);
    if (!server) return;
    if (this.deleteLeavesError) {
      server.status = "ERROR";
      return;
    }
    this.servers.delete(id);
    this.events.emit(`status:${id}`);
  }

  releaseBuilds(): void {
    this.holdBuilds = false;
    for (const server of this.servers.values()) if (server.status === "BUILD") this.scheduleActive(server);
  }

  releaseKeyscans(): void {
    this.holdKeyscans = false;
    for (const id of this.servers.keys()) this.events.emit(`status:${id}`);
  }

  uploadImage(name: string, meta: Readonly<Record<string, string>>): CloudImage {
    if (this.failUploads > 0) {
      this.failUploads -= 1;
      throw new ImageUploadError(`Fake cloud: upload of ${name} failed (injected)`);
    }
    if (meta.SHOULD_FAIL === "true") throw new ImageUploadError(`Fake cloud: upload of ${name} failed (SHOULD_FAIL)`);
    const image: CloudImage = { id: randomUUID() as ImageId, name, status: "active", properties: { ...meta } };
    this.images.set(image.id, image);
    return image;
  }

  findImage(nameOrId: string): CloudImage | undefined {
    return this.images.get(nameOrId) ?? [...this.images.values()].find((i) => i.name === nameOrId);
  }

  deleteImage(nameOrId: string): void {
    const image = this.findImage(nameOrId);
    if (image) this.images.delete(image.id);
  }

  /** Deletes DOWN compute ports found in `previous` and still DOWN; returns how many. */
  deleteDownPorts(previous: ReadonlySet<string>): number {
    let removed = 0;
    for (const port of this.downComputePorts()) {
      if (previous.has(port)) {
        this.ports.delete(port);
        removed += 1;
      }
    }
    return removed;
  }

  downComputePorts(): string[] {
    return [...this.ports.values()]
      .filter((p) => p.status === "DOWN" && (p.deviceOwner === null || p.deviceOwner.startsWith("compute:")))
      .map((p) => p.id);
  }

  /** Stops pending boot timers (process shutdown, test teardown). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private checkQuota(flavor: FakeFlavor): void {
    let cores = 0;
    let ram = 0;
    for (const s of this.servers.values()) {
      cores += s.resources.cores;
      ram += s.resources.ram;
    }
    if (this.servers.size >= this.limits.instances) {
      throw new QuotaExceededError(`403 Quota exceeded for instances: limit ${this.limits.instances}`);
    }
    if (cores + flavor.vcpus > this.limits.cores) throw new QuotaExceededError(`403 Quota exceeded for cores: limit ${this.limits.cores}`);
    if (ram + flavor.ram > this.limits.ram) throw new QuotaExceededError(`403 Quota exceeded for ram: limit ${this.limits.ram}`);
  }

  private newServer(options: CreateServerOptions): FakeServer {
    const ipv6 = options.networks.some((n) => n === FAKE_IPV6_NETWORK || n === "fake-ipv6-network-uuid");
    const publicV4 = options.autoFloatingIp ? "fake" : "";
    const publicV6 = ipv6 ? "fake_v6" : "";
    return {
      id: randomUUID() as ServerId,
      name: options.name,
      status: "BUILD",
      metadata: { ...options.metadata },
      az: options.az,
      resources: { cores: options.flavor.vcpus, instances: 1, ram: options.flavor.ram },
      flavor: options.flavor,
      imageId: options.imageId,
      networks: options.networks,
      securityGroups: options.securityGroups,
      publicV4,
      privateV4: "fake",
      publicV6,
      interfaceIp: ipv6 ? "fake_v6" : "fake",
      hostId: ipv6 ? "fake_host_id" : "fake",
      userdata: options.userdata,
      keyName: options.keyName,
      bootFromVolume: options.bootFromVolume,
    };
  }

  private scheduleActive(server: FakeServer): void {
    if (this.holdBuilds) return;
    const activate = (): void => {
      const current = this.servers.get(server.id);
      if (current && current.status === "BUILD") {
        current.status = "ACTIVE";
        this.events.emit(`status:${server.id}`);
      }
    };
    if (this.bootDelay <= 0) {
      activate();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      activate();
    }, this.bootDelay * 1000);
    this.timers.add(timer);
  }
}

const clouds = new Map<string, FakeCloud>();

/** The process-wide fake cloud of a provider, created on first use. */
export function fakeCloud(providerName: string, settings?: FakeCloudSettings): FakeCloud {
  let cloud = clouds.get(providerName);
  if (!cloud) {
    cloud = new FakeCloud(settings);
    clouds.set(providerName, cloud);
  } else if (settings) {
    cloud.configure(settings);
  }
  return cloud;
}

/** Forgets every fake cloud (tests that want a fresh world). */
export function resetFakeClouds(): void {
  for (const cloud of clouds.values()) cloud.close();
  clouds.clear();
}
