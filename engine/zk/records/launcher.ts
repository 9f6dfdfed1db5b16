import { z } from "zod";
import type { LauncherId } from "../ids.ts";
import { encodeJson, extraFields, parseJsonObject, stringList, validate, type Extra } from "./_codec.ts";

/** Launcher registration, `/nodepool/launchers/<launcher-id>` (spec/zookeeper.md §2.4). */

export interface LauncherRecord {
  /** Same as the znode name; readers take it from there. */
  readonly id: LauncherId;
  /** "unknown" when another party registered without it. */
  readonly providerName: string;
  /** Sorted ascending on write. */
  readonly supportedLabels: readonly string[];
  readonly extra: Extra;
}

const wire = z.object({
  id: z.string().optional(),
  provider_name: z.string().nullable().default("unknown").transform((name) => name ?? "unknown"),
  supported_labels: stringList,
});
const KNOWN = new Set(Object.keys(wire.shape));

export function decodeLauncher(id: LauncherId, data: Buffer, path: string): LauncherRecord | "empty" {
  const raw = parseJsonObject(data, path);
  if (raw === "empty") return "empty";
  const d = validate(wire, raw, path, "launcher");
  return { id, providerName: d.provider_name, supportedLabels: d.supported_labels, extra: extraFields(raw, KNOWN) };
}

export function encodeLauncher(launcher: LauncherRecord): Buffer {
  return encodeJson(launcher.extra, {
    id: launcher.id,
    provider_name: launcher.providerName,
    supported_labels: [...launcher.supportedLabels].sort(),
  });
}

export function newLauncher(id: LauncherId, providerName: string, supportedLabels: Iterable<string>): LauncherRecord {
  return { id, providerName, supportedLabels: [...new Set(supportedLabels)].sort(), extra: {} };
}
