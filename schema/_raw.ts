/**
 * Reading the configuration as written (a plain value from YAML or the DSL) without trusting
 * its shape: the reference and lint rules run on it even when the schema found errors.
 */
import type { PathSegment } from "./diagnostics.ts";

export type RawRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is RawRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The items of a list-valued key with their indexes; nothing when the key is not a list. */
export function itemsOf(owner: unknown, key: string): Array<[item: unknown, index: number]> {
  const list = isRecord(owner) ? owner[key] : undefined;
  return Array.isArray(list) ? list.map((item, index) => [item, index]) : [];
}

/** The mapping items of a list-valued key, for rules that only look at well-formed entries. */
export function recordsOf(owner: unknown, key: string): Array<[item: RawRecord, index: number]> {
  return itemsOf(owner, key).filter((entry): entry is [RawRecord, number] => isRecord(entry[0]));
}

export function stringAt(owner: unknown, key: string): string | undefined {
  const value = isRecord(owner) ? owner[key] : undefined;
  return typeof value === "string" ? value : undefined;
}

export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof segment === "number") node = Array.isArray(node) ? node[segment] : undefined;
    else node = isRecord(node) ? node[segment] : undefined;
  }
  return node;
}

/** The driver a provider entry selects: `openstack` when `driver` is absent (spec/config.md §3.1). */
export function driverOf(provider: RawRecord): unknown {
  return provider["driver"] ?? "openstack";
}
