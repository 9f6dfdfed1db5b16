/**
 * The hosts a static provider offers, read from its config (behaviour.md §3B.1), and what a
 * node record of each must say (§3B.2): the fields the engine registers and keeps up to date.
 */
import type { StaticProviderConfig } from "../../../schema/index.ts";

export type ConnectionType = string;

export interface StaticHost {
  provider: string;
  pool: string;
  /** Host name or address: the records' hostname and interface_ip. */
  name: string;
  /** The record's `type`; the pool's label set splits a single string on whitespace. */
  labels: readonly string[];
  username: string;
  connectionType: ConnectionType;
  port: number;
  /** Seconds a check of the host may take. */
  timeout: number;
  /** Configured `host-key`: each must be among the scanned keys. */
  expectedKeys: readonly string[];
  /** `max-parallel-jobs`: node records standing for the host at once. */
  slots: number;
}

/** Connection types whose host keys are scanned and recorded (§3B.2); winrm hosts are not scanned. */
export const gathersKeys = (type: ConnectionType): boolean => type === "ssh" || type === "network_cli";

export function staticHosts(config: StaticProviderConfig): StaticHost[] {
  return config.pools.flatMap((pool) =>
    pool.nodes.map((node) => ({
      provider: config.name,
      pool: pool.name,
      name: node.name,
      labels: node.labels,
      username: node.username,
      connectionType: node["connection-type"],
      port: node["connection-port"],
      timeout: node.timeout,
      expectedKeys: node["host-key"] ?? [],
      slots: node["max-parallel-jobs"],
    })),
  );
}

/**
 * What decides how a host is checked: a change of any of these makes earlier check results
 * meaningless (another port, another type, other expected keys).
 */
export const checkIdentity = (host: StaticHost): string => JSON.stringify([host.name, host.port, host.connectionType, host.timeout, [...host.expectedKeys].sort()]);
