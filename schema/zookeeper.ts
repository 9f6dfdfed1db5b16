/** `zookeeper-servers` entries (spec/config.md §2.1). */
import { z } from "zod";
import { int, str } from "./primitives.ts";

export const zookeeperServerSchema = z.strictObject({
  host: str().describe("Host name or IP of one ZooKeeper server"),
  port: int().default(2181).describe("Client port"),
  chroot: str().optional().describe("Path prefix under which all Nodepool data lives, e.g. /nodepool"),
});

export type ZookeeperServer = z.output<typeof zookeeperServerSchema>;
export type ZookeeperServerInput = z.input<typeof zookeeperServerSchema>;
