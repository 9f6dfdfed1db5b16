/**
 * Diskimage `parent` / `abstract` (newer Nodepool): a diskimage inherits its parent's settings,
 * with `elements` appended to the parent's and `env-vars` merged (the child's values win);
 * abstract diskimages only serve as parents and are not part of the effective configuration.
 */
import type { Finding } from "./findings.ts";
import { error } from "./findings.ts";
import type { RawRecord } from "./_raw.ts";
import { isRecord, recordsOf, stringAt } from "./_raw.ts";

function combine(parent: RawRecord, child: RawRecord): RawRecord {
  const { abstract: _abstract, name: _name, ...inherited } = parent;
  const merged: RawRecord = { ...inherited, ...child };
  const parentElements = Array.isArray(parent["elements"]) ? parent["elements"] : [];
  const childElements = Array.isArray(child["elements"]) ? child["elements"] : [];
  merged["elements"] = [...parentElements, ...childElements];
  const parentEnv = isRecord(parent["env-vars"]) ? parent["env-vars"] : {};
  const childEnv = isRecord(child["env-vars"]) ? child["env-vars"] : {};
  merged["env-vars"] = { ...parentEnv, ...childEnv };
  return merged;
}

/** Parent cycles are errors: there is nothing to inherit from. */
export function inheritanceFindings(config: RawRecord): Finding[] {
  const byName = new Map(recordsOf(config, "diskimages").map(([image]) => [stringAt(image, "name"), image]));
  const findings: Finding[] = [];
  for (const [image, index] of recordsOf(config, "diskimages")) {
    const seen = new Set<string>();
    let current: RawRecord | undefined = image;
    while (current !== undefined) {
      const parent = stringAt(current, "parent");
      if (parent === undefined) break;
      if (seen.has(parent)) {
        findings.push(
          error("ref.diskimage-parent-cycle", ["diskimages", index, "parent"], `diskimage parents form a cycle through '${parent}'`),
        );
        break;
      }
      seen.add(parent);
      current = byName.get(parent);
    }
  }
  return findings;
}

/** The config with every diskimage's inheritance resolved and abstract diskimages removed. */
export function resolveDiskimageInheritance(config: RawRecord): RawRecord {
  const images = recordsOf(config, "diskimages").map(([image]) => image);
  if (!images.some((image) => "parent" in image || "abstract" in image)) return config;
  const byName = new Map(images.map((image) => [stringAt(image, "name"), image]));
  const resolve = (image: RawRecord): RawRecord => {
    const parent = byName.get(stringAt(image, "parent"));
    const { parent: _parent, ...own } = image;
    return parent === undefined ? own : combine(resolve(parent), own);
  };
  return {
    ...config,
    diskimages: images.filter((image) => image["abstract"] !== true).map(resolve),
  };
}
