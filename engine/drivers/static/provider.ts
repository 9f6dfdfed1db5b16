/**
 * The `static` provider (behaviour.md §3B): fixed machines registered as nodes. Nothing is
 * launched, no image is managed and there is no cloud quota; its one ability is an inventory
 * of its configured hosts, checked over SSH by the monitor, whose node records the engine keeps
 * (engine/launcher/inventory.ts).
 */
import { pino } from "pino";
import type { StaticProviderConfig } from "../../../schema/index.ts";
import type { Logger } from "../../log.ts";
import type { HostInventory, Provider, ProviderTraits } from "../driver.ts";
import { staticTraits } from "../traits.ts";
import type { CheckPolicy } from "./host-status.ts";
import { staticHosts } from "./hosts.ts";
import { StaticHostMonitor, type HostScanner } from "./monitor.ts";

export interface StaticProviderOptions {
  log?: Logger;
  policy?: CheckPolicy;
  scanner?: HostScanner;
}

export class StaticProvider implements Provider {
  readonly traits: ProviderTraits;
  readonly inventory: HostInventory;
  private readonly monitor: StaticHostMonitor;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly config: StaticProviderConfig,
    options: StaticProviderOptions = {},
  ) {
    this.traits = staticTraits(config);
    const monitor = new StaticHostMonitor({
      log: (options.log ?? pino({ level: "silent" })).child({ provider: config.name }),
      onChange: () => {
        for (const listener of this.listeners) listener();
      },
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.scanner ? { scanner: options.scanner } : {}),
    });
    this.monitor = monitor;
    this.inventory = {
      listHosts: () => monitor.hosts(),
      watch: (listener) => {
        this.listeners.add(listener);
        monitor.watch();
      },
      register: (host, signal) => monitor.register(host.name, signal),
      reachable: (host, signal) => monitor.reachable(host.name, signal),
    };
  }

  get name(): string {
    return this.config.name;
  }

  /** Nothing to connect to: the hosts are checked as they are watched or registered. */
  async start(): Promise<void> {
    this.monitor.setHosts(staticHosts(this.config));
  }

  async stop(): Promise<void> {
    this.monitor.stop();
    this.listeners.clear();
  }
}
