/**
 * Top-level `diskimages`: images the builder makes with diskimage-builder (spec/config.md §2.9),
 * plus the keys newer Nodepool releases added and operators use (`parent`/`abstract`
 * inheritance, resolved at load time by diskimage-inheritance.ts, and DIB settings passed through).
 */
import { z } from "zod";
import { bool, int, list, str, stringMap } from "./primitives.ts";
import { definesName, refersToName } from "./names.ts";

/** Keys that Nodepool 3.x rejects and later releases accept; validation warns that 3.x would refuse them. */
export const newerDiskimageKeys = [
  "parent",
  "abstract",
  "python-path",
  "shell-type",
  "dib-cmd",
  "build-checksum",
  "block-device-mapping",
] as const;

export const diskimageSchema = z.strictObject({
  name: definesName(str().describe("Image name; providers' diskimages and pool labels refer to it"), "diskimage"),
  elements: list(str()).default([]).describe("diskimage-builder elements to include"),
  release: z
    .union([str(), int()])
    .default("")
    .transform((v) => String(v))
    .describe("Exported to diskimage-builder as DIB_RELEASE (an int is passed as its decimal string)"),
  formats: list(str()).default([]).describe("Output formats to build in any case (tar, raw, qcow2, vhd, ...)"),
  "env-vars": stringMap().default({}).describe("Extra environment for diskimage-builder; values must be strings"),
  pause: bool().default(false).describe("When true, no new builds of this image are made"),
  "rebuild-age": int().default(86400).describe("Seconds after which the newest ready build is rebuilt"),
  username: str().default("zuul").describe("Login user recorded with each build and upload"),
  "build-timeout": int().default(28800).describe("Seconds a diskimage-builder run may take before it is killed"),
  parent: refersToName(str().describe("Diskimage whose settings this one inherits (elements appended, env-vars merged)"), "diskimage").optional(),
  abstract: bool().optional().describe("When true, this diskimage is only a parent for others and is never built"),
  "python-path": str().optional().describe("Python interpreter diskimage-builder uses inside the image"),
  "shell-type": str().optional().describe("Shell used to run diskimage-builder"),
  "dib-cmd": str().optional().describe("diskimage-builder command to run instead of disk-image-create"),
  "build-checksum": bool().optional().describe("Whether checksum files are written with each build"),
  "block-device-mapping": z
    .unknown()
    .optional()
    .describe("diskimage-builder block device configuration, passed through unchanged"),
});

export type DiskImageConfig = z.output<typeof diskimageSchema>;
export type DiskImageConfigInput = z.input<typeof diskimageSchema>;
