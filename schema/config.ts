/**
 * The whole configuration file (spec/config.md §2). `NodepoolConfigInput` is the canonical
 * structure as written (what `defineConfig` takes); `NodepoolConfig` is the effective
 * configuration after defaults and diskimage inheritance, the type the daemons use.
 */
import { z } from "zod";
import { diskimageSchema } from "./diskimages.ts";
import { labelSchema } from "./labels.ts";
import { int, list, str } from "./primitives.ts";
import { providerSchema } from "./providers/index.ts";
import { tenantResourceLimitSchema } from "./tenant-resource-limits.ts";
import { webappSchema } from "./webapp.ts";
import { zookeeperServerSchema } from "./zookeeper.ts";

export const nodepoolConfigSchema = z.strictObject({
  "elements-dir": str().optional().describe("Directory of diskimage-builder elements (exported as ELEMENTS_PATH)"),
  "images-dir": str().optional().describe("Where the builder writes images; the builder needs it"),
  "build-log-dir": str().default("/var/log/nodepool/builds").describe("One log file per image build"),
  "build-log-retention": int().default(7).describe("Old build logs kept per image"),
  "max-hold-age": int().default(0).describe("Most seconds a node may stay held; 0 or negative = unlimited"),
  webapp: webappSchema.default({ port: 8005, listen_address: "0.0.0.0" }).describe("Launcher status web server"),
  "zookeeper-servers": list(zookeeperServerSchema)
    .default([])
    .describe("The ZooKeeper ensemble (may come from the secure file)"),
  labels: list(labelSchema).default([]).describe("Node types that can be requested"),
  providers: list(providerSchema).default([]).describe("Clouds, clusters and static hosts that supply nodes"),
  diskimages: list(diskimageSchema).default([]).describe("Images built with diskimage-builder"),
  "tenant-resource-limits": list(tenantResourceLimitSchema)
    .default([])
    .describe("Per-tenant resource caps (newer Nodepool)"),
});

export type NodepoolConfig = z.output<typeof nodepoolConfigSchema>;
export type NodepoolConfigInput = z.input<typeof nodepoolConfigSchema>;

/** The top-level keys, in the canonical order of spec/config.md §7. */
export const topLevelKeys = [
  "elements-dir",
  "images-dir",
  "build-log-dir",
  "build-log-retention",
  "max-hold-age",
  "webapp",
  "zookeeper-servers",
  "labels",
  "providers",
  "diskimages",
  "tenant-resource-limits",
] as const;
