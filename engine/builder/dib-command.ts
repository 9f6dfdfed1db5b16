/**
 * The diskimage-builder command line and environment the builder forms for a build, exactly as
 * the reference does (behaviour.md §4.3 steps 2-4, spec/config.md §2.9.1). Pure.
 */
import { parseCommandString } from "execa";
import type { DiskImageConfig } from "../../schema/index.ts";

export const DEFAULT_DIB_COMMAND = "disk-image-create";

export interface DibInvocationInput {
  image: DiskImageConfig;
  /** Sorted required formats. */
  formats: readonly string[];
  /** `<images-dir>/<image>-<build-id>`, no extension. */
  outputBase: string;
  elementsDir?: string | undefined;
  /** The DIB command (shell-style words): the diskimage's `dib-cmd`, else the builder's. */
  dibCommand: string;
  /** The builder's own environment, which DIB inherits. */
  baseEnv: Readonly<Record<string, string | undefined>>;
}

export interface DibInvocation {
  file: string;
  args: string[];
  env: Record<string, string>;
}

export function dibInvocation(input: DibInvocationInput): DibInvocation {
  const [file = DEFAULT_DIB_COMMAND, ...prefix] = parseCommandString(input.image["dib-cmd"] ?? input.dibCommand);
  const qemu = input.formats.includes("qcow2") ? ["--qemu-img-options", "compat=0.10"] : [];
  const args = [...prefix, "-x", "-t", input.formats.join(","), "--checksum", "--no-tmpfs", ...qemu, "-o", input.outputBase, ...input.image.elements];

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.baseEnv)) if (value !== undefined) env[key] = value;
  env.DIB_RELEASE = input.image.release;
  env.DIB_IMAGE_NAME = input.image.name;
  env.DIB_IMAGE_FILENAME = input.outputBase;
  if (input.elementsDir !== undefined) env.ELEMENTS_PATH = input.elementsDir;
  Object.assign(env, input.image["env-vars"]);
  return { file, args, env };
}
