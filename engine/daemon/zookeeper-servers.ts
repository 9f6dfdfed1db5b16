/**
 * A `zookeeper-servers` change on reload (behaviour.md §8.4): the daemon's client moves to the new
 * servers and keeps its session, so its locks survive when the new list serves the same ensemble.
 * Nothing moves while `--zookeeper` overrides the config; a chroot change needs a restart.
 */
import type { NodepoolConfig } from "../../schema/index.ts";
import type { Logger } from "../log.ts";
import { zkHostsFromConfig } from "../zk/connection.ts";
import { ZkConfigError } from "../zk/errors.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";

export function followZookeeperServers(zk: NodepoolZk, config: NodepoolConfig, override: string | undefined, log: Logger): void {
  if (override !== undefined || config["zookeeper-servers"].length === 0) return;
  try {
    zk.client.setServers(zkHostsFromConfig(config["zookeeper-servers"]));
  } catch (error) {
    if (!(error instanceof ZkConfigError)) throw error;
    log.warn({ err: error.message }, "zookeeper-servers change not applied");
  }
}
