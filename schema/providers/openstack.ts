/**
 * The OpenStack driver (spec/config.md §3.4) and the `fake` driver, a simulated OpenStack cloud
 * that accepts the same keys plus `fake-cloud` (its simulated limits, behaviour.md §3C).
 */
import { z } from "zod";
import { bool, defaultConnectionPort, floatLike, int, list, map, str } from "../primitives.ts";
import { commonPoolShape, commonProviderShape, connectionShape } from "./common.ts";
import { definesName, refersToName } from "../names.ts";

/** Upload `meta` limits: beyond these the reference silently drops the whole map (§3.4.2). */
export const META_MAX_ENTRIES = 5;
export const META_MAX_LENGTH = 255;

/** Whether a provider diskimage's `meta` is usable as written, or dropped like the reference does. */
export function metaIsKept(meta: Record<string, unknown>): boolean {
  const entries = Object.entries(meta);
  return (
    entries.length <= META_MAX_ENTRIES &&
    entries.every(([k, v]) => k.length <= META_MAX_LENGTH && typeof v === "string" && v.length <= META_MAX_LENGTH)
  );
}

export const openstackProviderDiskimageSchema = z
  .strictObject({
    name: refersToName(str().describe("A top-level diskimage to upload to this provider"), "diskimage"),
    pause: bool().default(false).describe("When true, no new builds of this image are uploaded here"),
    "config-drive": bool().optional().describe("Whether servers booted from this image get a config drive"),
    meta: map().default({}).describe("Image properties set on upload; at most 5 string entries of 255 characters"),
    ...connectionShape,
  })
  .superRefine((image, ctx) => {
    const entries = Object.entries(image.meta);
    if (entries.length > META_MAX_ENTRIES) return;
    for (const [key, value] of entries) {
      if (typeof value !== "string") {
        ctx.addIssue({
          code: "custom",
          path: ["meta", key],
          message: "expected a string (upload meta values must be strings; quote numbers and booleans)",
          params: { code: "schema.type" },
        });
      }
    }
  })
  .transform((image) => ({
    ...image,
    meta: metaIsKept(image.meta) ? image.meta : {},
    "connection-port": image["connection-port"] ?? defaultConnectionPort(image["connection-type"]),
  }));

export const openstackCloudImageSchema = z
  .strictObject({
    name: definesName(str().describe("Identifier pool labels use; also the cloud image name-or-ID without image-id/image-name"), "cloud-image"),
    "image-id": str().optional().describe("Select the cloud image by ID (exclusive with image-name)"),
    "image-name": str().optional().describe("Select the cloud image by name (exclusive with image-id)"),
    "config-drive": bool().optional().describe("Whether servers booted from this image get a config drive"),
    username: str().optional().describe("Login user recorded on nodes booted from this image"),
    ...connectionShape,
  })
  .superRefine((image, ctx) => {
    if (image["image-id"] !== undefined && image["image-name"] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["image-name"],
        message: "image-id and image-name are mutually exclusive; give one of them",
        params: { code: "schema.exclusive" },
      });
    }
  })
  .transform((image) => ({
    ...image,
    "connection-port": image["connection-port"] ?? defaultConnectionPort(image["connection-type"]),
  }));

export const openstackPoolLabelSchema = z
  .strictObject({
    name: refersToName(str().describe("A top-level label this pool can launch"), "label"),
    diskimage: refersToName(str().describe("Top-level diskimage to boot from (exclusive with cloud-image)"), "diskimage").optional(),
    "cloud-image": refersToName(str().describe("A cloud-images name of this provider (exclusive with diskimage)"), "cloud-image").optional(),
    "min-ram": int().optional().describe("Smallest flavor with at least this much RAM (MiB)"),
    "flavor-name": str().optional().describe("Flavor name (exact without min-ram, substring with it)"),
    "key-name": str().optional().describe("Keypair injected into servers"),
    "console-log": bool().default(false).describe("Log the server console when the key scan times out"),
    "boot-from-volume": bool().default(false).describe("Boot from a volume created from the image"),
    "volume-size": int().default(50).describe("Size (GB) of the boot volume"),
    "instance-properties": map().optional().describe("Metadata set on the server at boot"),
    userdata: str().optional().describe("User-data for the server, e.g. a cloud-init document"),
  })
  .superRefine((label, ctx) => {
    if (label.diskimage !== undefined && label["cloud-image"] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["cloud-image"],
        message: "diskimage and cloud-image are mutually exclusive; give one of them",
        params: { code: "schema.exclusive" },
      });
    }
    if (label.diskimage === undefined && label["cloud-image"] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "one of diskimage or cloud-image is required",
        params: { code: "schema.one-of-required" },
      });
    }
    if (label["min-ram"] === undefined && label["flavor-name"] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "at least one of min-ram or flavor-name is required",
        params: { code: "schema.one-of-required" },
      });
    }
  })
  .transform((label) => ({ ...label, "min-ram": label["min-ram"] ?? 0 }));

export const openstackPoolSchema = z.strictObject({
  ...commonPoolShape,
  "max-cores": int().optional().describe("Most vCPUs this pool may use; unset = unlimited"),
  "max-ram": int().optional().describe("Most RAM (MiB) this pool may use; unset = unlimited"),
  "ignore-provider-quota": bool().default(false).describe("Ignore the cloud's own quota"),
  "availability-zones": list(str()).optional().describe("Zones to choose from; unset = every zone the cloud reports"),
  networks: list(str()).default([]).describe("Network names or IDs attached to every server"),
  "security-groups": list(str()).default([]).describe("Security group names or IDs attached to every server"),
  "auto-floating-ip": bool().default(true).describe("Give servers a floating IP when needed"),
  "host-key-checking": bool().default(true).describe("Scan host keys after boot"),
  labels: list(openstackPoolLabelSchema).default([]).describe("Node types this pool can launch"),
});

const openstackProviderShape = {
  cloud: str().describe("Cloud name in the OpenStack client configuration (clouds.yaml)"),
  "region-name": str().optional().describe("Region inside the cloud"),
  "boot-timeout": int().default(60).describe("Seconds to keep trying to reach an ACTIVE server"),
  "launch-timeout": int().default(3600).describe("Seconds to wait from create until the server is ACTIVE"),
  "launch-retries": int().default(3).describe("Attempts per node"),
  rate: floatLike().default(1.0).describe("Minimum seconds between API calls; 0 = no limit"),
  "hostname-format": str()
    .default("{label.name}-{provider.name}-{node.id}")
    .describe("Server name template (label, provider, node)"),
  "image-name-format": str()
    .default("{image_name}-{timestamp}")
    .describe("Uploaded image name template (image_name, timestamp)"),
  "clean-floating-ips": bool().default(false).describe("Delete floating IPs attached to nothing"),
  "nodepool-id": str().optional().describe("Deprecated and ignored"),
  diskimages: list(openstackProviderDiskimageSchema).default([]).describe("Top-level diskimages uploaded here"),
  "cloud-images": list(openstackCloudImageSchema).default([]).describe("Images that already exist in the cloud"),
  pools: list(openstackPoolSchema).default([]),
};

export const openstackProviderSchema = z.strictObject({
  ...commonProviderShape(z.literal("openstack").default("openstack").describe("The driver; openstack when absent")),
  ...openstackProviderShape,
});

/** `fake-cloud`: the simulated cloud's limits; -1 = unlimited (behaviour.md §3C defaults). */
export const fakeCloudSchema = z.strictObject({
  "max-instances": int().min(-1).default(20).describe("Instance limit of the simulated cloud; -1 = unlimited"),
  "max-cores": int().min(-1).default(100).describe("Core limit of the simulated cloud; -1 = unlimited"),
  "max-ram": int().min(-1).default(1_000_000).describe("RAM limit (MB) of the simulated cloud; -1 = unlimited"),
  "boot-delay": z.number().min(0).default(0.1).describe("Seconds a server stays in BUILD before ACTIVE"),
  "launch-failure-rate": z.number().min(0).max(1).default(0).describe("Fraction of server creations that fail"),
});

export const fakeProviderSchema = z.strictObject({
  ...commonProviderShape(z.literal("fake").describe("The simulated OpenStack cloud used by tests")),
  ...openstackProviderShape,
  "fake-cloud": fakeCloudSchema.optional().describe("Settings of the simulated cloud"),
});

export type OpenstackProviderConfig = z.output<typeof openstackProviderSchema>;
export type FakeProviderConfig = z.output<typeof fakeProviderSchema>;
export type FakeCloudConfig = z.output<typeof fakeCloudSchema>;
export type OpenstackPoolConfig = z.output<typeof openstackPoolSchema>;
export type OpenstackPoolLabelConfig = z.output<typeof openstackPoolLabelSchema>;
export type ProviderDiskimageConfig = z.output<typeof openstackProviderDiskimageSchema>;
export type CloudImageConfig = z.output<typeof openstackCloudImageSchema>;
