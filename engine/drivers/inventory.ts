/**
 * The inventory ability: a provider whose nodes are existing hosts (static machines) rather
 * than launched servers. The engine keeps `slots` node records per offered host
 * (engine/launcher/inventory.ts), registers one only after `register` checked the host, and
 * asks `reachable` before it hands one out (behaviour.md §3B).
 */
import type { InventoryHostView } from "../launcher/inventory.ts";

/** Node record fields of a registered host (behaviour.md §3B.2), in the record's key names. */
export interface RegistrationFields {
  hostname: string;
  interface_ip: string;
  public_ipv4: string | null;
  public_ipv6: string | null;
  username: string;
  connection_type: string;
  connection_port: number;
  host_keys: string[];
}

export interface HostInventory {
  /** The hosts with what is known of them now. */
  views(): InventoryHostView[];
  /** Checks a host (key scan, configured host keys) and returns its record fields; throws when it fails. */
  register(host: string, signal?: AbortSignal): Promise<RegistrationFields>;
  /** Liveness before one of the host's nodes is handed out; false marks the host down. */
  reachable(host: string, signal?: AbortSignal): Promise<boolean>;
  /**
   * Starts checking the hosts in the background until the provider stops (the launcher does;
   * `nodepool plan` and the builder do not); `listener` runs whenever what the hosts allow
   * changes (a host checked, down, back).
   */
  watch(listener: () => void): void;
}
