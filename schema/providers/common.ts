/** Keys every driver accepts, at provider and pool level (spec/config.md §3.3). */
import { z } from "zod";
import { int, map, str } from "../primitives.ts";

/** The provider keys shared by all drivers, given the driver's own `driver` literal. */
export function commonProviderShape<D extends z.ZodType>(driver: D) {
  return {
    name: str().describe("Provider name, unique; nodes, uploads and ZooKeeper records refer to it"),
    driver,
    "max-concurrency": int()
      .default(-1)
      .describe("Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests"),
  };
}

/** `max-servers` and `node-attributes`, shared by the pools of most drivers (`ConfigPool`). */
export const commonPoolShape = {
  name: str().describe("Pool name, unique within its provider"),
  "max-servers": int()
    .optional()
    .describe("Most nodes this pool may have at once; unset = unlimited, 0 or negative disables the pool"),
  "node-attributes": map().optional().describe("Key/value data copied into every node record this pool creates"),
};

/** How consumers connect to nodes booted from an image: shared by provider diskimages and cloud-images. */
export const connectionShape = {
  "connection-type": str().default("ssh").describe("How consumers reach the node: ssh, winrm, network_cli"),
  "connection-port": int().optional().describe("Port consumers use; default 22, or 5986 for winrm"),
};
