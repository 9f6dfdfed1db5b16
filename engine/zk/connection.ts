import { ZkConfigError } from "./errors.ts";

/** One entry of the config's `zookeeper-servers`. */
export interface ZooKeeperServer {
  readonly host: string;
  readonly port?: number;
  readonly chroot?: string | null;
}

/**
 * The connection string for the config's `zookeeper-servers`: `host:port` per server (port
 * default 2181) joined by `,`, then the chroot once. Nodepool appends the chroot to every
 * entry, which only works for one server; all servers must name the same chroot.
 */
export function zkHostsFromConfig(servers: readonly ZooKeeperServer[]): string {
  if (servers.length === 0) throw new ZkConfigError("zookeeper-servers is empty: name at least one ZooKeeper server");
  const chroots = new Set(servers.map((s) => normaliseChroot(s.chroot)));
  if (chroots.size > 1) {
    throw new ZkConfigError(`zookeeper-servers name different chroots (${[...chroots].map((c) => c || "none").join(", ")}); every server must use the same one`);
  }
  const hosts = servers.map((s) => `${s.host}:${s.port ?? 2181}`).join(",");
  return `${hosts}${[...chroots][0] ?? ""}`;
}

function normaliseChroot(chroot: string | null | undefined): string {
  if (!chroot) return "";
  const trimmed = chroot.replace(/\/+$/, "");
  return trimmed === "" ? "" : trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}
