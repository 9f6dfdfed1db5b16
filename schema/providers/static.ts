/** The static driver: pre-existing hosts registered as nodes (spec/config.md §3.5). */
import { z } from "zod";
import { int, list, str } from "../primitives.ts";
import { commonPoolShape, commonProviderShape } from "./common.ts";
import { refersToName } from "../names.ts";

const stringOrList = () => z.union([str(), list(str())]);

export const staticNodeSchema = z
  .strictObject({
    name: str().describe("Host name or IP; unique across the whole configuration"),
    labels: refersToName(stringOrList().describe("Top-level labels this host offers (a list; a string is one label)"), "label"),
    username: str().default("zuul").describe("Login user recorded on the node"),
    timeout: int().default(5).describe("Seconds to wait when checking that the host is up"),
    "host-key": stringOrList().optional().describe("Expected SSH host key(s)"),
    "connection-type": str().default("ssh").describe("ssh, winrm or network_cli"),
    "connection-port": int().optional().describe("Port consumers and the check use; default 22"),
    "ssh-port": int().optional().describe("Deprecated name of connection-port").meta({ deprecated: true }),
    "max-parallel-jobs": int().default(1).describe("How many jobs may use this host at once"),
  })
  .transform(({ "ssh-port": sshPort, ...node }) => ({
    ...node,
    // The reference keeps the unsplit string as the node's single label.
    labels: typeof node.labels === "string" ? [node.labels] : node.labels,
    "host-key": typeof node["host-key"] === "string" ? [node["host-key"]] : node["host-key"],
    // Static nodes default to 22 whatever the connection type (the reference loader, §4.5).
    "connection-port": node["connection-port"] ?? sshPort ?? 22,
  }));

export const staticPoolSchema = z.strictObject({
  ...commonPoolShape,
  nodes: list(staticNodeSchema).default([]).describe("The hosts"),
});

export const staticProviderSchema = z.strictObject({
  ...commonProviderShape(z.literal("static")),
  pools: list(staticPoolSchema).default([]),
});

export type StaticProviderConfig = z.output<typeof staticProviderSchema>;
export type StaticPoolConfig = z.output<typeof staticPoolSchema>;
export type StaticNodeConfig = z.output<typeof staticNodeSchema>;
