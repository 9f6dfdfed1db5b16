/**
 * The `static` provider (behaviour.md §3B): fixed machines registered as nodes. Nothing is
 * launched, no image is managed and there is no cloud quota; what it offers is an inventory of
 * its configured hosts, checked over SSH by the monitor, whose node records the engine keeps
 * (engine/launcher/inventory.ts).
 */
import { pino } from "pino";
import type { StaticProviderConfig } from "../../../schema/index.ts";
import type { Logger } from "../../log.ts";
import type { HostInventory } from "../inventory.ts";
import { UnsupportedOperationError, type CloudImage, type LaunchedNodeFields, type LeakCleanupResult, type Provider, type Resources, type Server } from "../driver.ts";
import { staticHosts } from "./hosts.ts";
import { StaticHostMonitor, type HostScanner } from "./monitor.ts";
import type { CheckPolicy } from "./host-status.ts";

export interface StaticProviderOptions {
  log?: Logger;
  policy?: CheckPolicy;
  scanner?: HostScanner;
}

const NO_LIMIT: Resources = { cores: Infinity, instances: Infinity, ram: Infinity };

export class StaticProvider implements Provider {
  readonly driver = "static";
  readonly canLaunch = false;
  readonly managesImages = false;
  readonly imageFormat = "raw";
  readonly inventory: HostInventory;
  readonly monitor: StaticHostMonitor;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly config: StaticProviderConfig,
    options: StaticProviderOptions = {},
  ) {
    const log = (options.log ?? pino({ level: "silent" })).child({ provider: config.name });
    this.monitor = new StaticHostMonitor({
      log,
      onChange: () => {
        for (const listener of this.listeners) listener();
      },
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.scanner ? { scanner: options.scanner } : {}),
    });
    const monitor = this.monitor;
    this.inventory = {
      views: () => monitor.views(),
      register: (host, signal) => monitor.register(host, signal),
      reachable: (host, signal) => monitor.reachable(host, signal),
      watch: (listener) => {
        this.listeners.add(listener);
        monitor.watch();
      },
    };
  }

  get name(): string {
    return this.config.name;
  }

  async start(): Promise<void> {
    this.monitor.setHosts(staticHosts(this.config));
  }

  async stop(): Promise<void> {
    this.monitor.stop();
    this.listeners.clear();
  }

  async limits(): Promise<Resources> {
    return NO_LIMIT;
  }

  async labelResources(): Promise<Resources> {
    return { cores: 0, instances: 1, ram: 0 };
  }

  async availabilityZones(): Promise<string[]> {
    return [];
  }

  async cloudImageAvailable(): Promise<boolean> {
    return false;
  }

  async listServers(): Promise<Server[]> {
    return [];
  }

  async launch(): Promise<LaunchedNodeFields> {
    throw new UnsupportedOperationError(`provider ${this.name}: static hosts are registered, not launched`);
  }

  /** Static nodes have no server: deleting one removes only its record (§3B.4). */
  async deleteServer(): Promise<void> {}

  async cleanupLeakedResources(): Promise<LeakCleanupResult> {
    return { ports: 0, floatingIps: 0 };
  }

  async uploadImage(): Promise<{ externalId: string }> {
    throw new UnsupportedOperationError(`provider ${this.name}: the static driver takes no images`);
  }

  async deleteImage(): Promise<void> {}

  async listImages(): Promise<CloudImage[]> {
    return [];
  }
}
