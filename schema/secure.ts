/**
 * The secure file (spec/config.md §6): ZooKeeper servers that replace the main list, and
 * diskimage env-vars merged into existing diskimages. Its values are secrets: they are never
 * echoed in messages, and their key paths are reported so every output can mask them.
 */
import { z } from "zod";
import type { PathSegment } from "./diagnostics.ts";
import type { Finding } from "./findings.ts";
import { error, warning } from "./findings.ts";
import { list, str, stringMap } from "./primitives.ts";
import type { RawRecord } from "./_raw.ts";
import { isRecord, recordsOf, stringAt } from "./_raw.ts";
import { didYouMean } from "./suggest.ts";
import { issuesToFindings } from "./zod-issues.ts";
import { zookeeperServerSchema } from "./zookeeper.ts";

export const secureDiskimageSchema = z.looseObject({
  name: str().describe("A diskimage of the main file"),
  "env-vars": stringMap().describe("Merged into that diskimage's env-vars; these values win"),
});

export const secureConfigSchema = z.looseObject({
  "zookeeper-servers": list(zookeeperServerSchema).optional().describe("Replaces the main file's list when not empty"),
  diskimages: list(secureDiskimageSchema).optional(),
});

export type SecureConfig = z.output<typeof secureConfigSchema>;

/** What the secure file contributes once checked: the env-var names per diskimage and the servers. */
export interface SecureContribution {
  envVars: Map<string, RawRecord>;
  zookeeperServers: unknown[] | undefined;
}

const knownTop = ["zookeeper-servers", "diskimages"];
const knownImage = ["name", "env-vars"];

function ignoredKeys(owner: RawRecord, known: string[], path: PathSegment[]): Finding[] {
  return Object.keys(owner)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const suggestion = didYouMean(key, known);
      return warning("lint.secure-unknown-key", [...path, key], `'${key}' has no effect in the secure file and is ignored`, {
        at: "key",
        ...(suggestion ? { suggestion } : {}),
      });
    });
}

/** Shape, references (X5) and ignored keys of the secure file, and what it contributes. */
export function checkSecure(value: unknown, mainDiskimages: Set<string>): { findings: Finding[]; contribution: SecureContribution } {
  const contribution: SecureContribution = { envVars: new Map(), zookeeperServers: undefined };
  if (value === null || value === undefined) return { findings: [], contribution };
  if (!isRecord(value)) {
    return { findings: [error("yaml.not-mapping", [], "the secure file must be a mapping (zookeeper-servers, diskimages)")], contribution };
  }
  const findings = [...ignoredKeys(value, knownTop, [])];
  const parsed = secureConfigSchema.safeParse(value);
  if (!parsed.success) findings.push(...issuesToFindings(parsed.error.issues, secureConfigSchema, value, false));
  for (const [image, i] of recordsOf(value, "diskimages")) {
    findings.push(...ignoredKeys(image, knownImage, ["diskimages", i]));
    const name = stringAt(image, "name");
    if (name !== undefined && !mainDiskimages.has(name)) {
      const suggestion = didYouMean(name, mainDiskimages);
      findings.push(
        error("secure.unknown-diskimage", ["diskimages", i, "name"], `unknown diskimage '${name}': the secure file may only add env-vars to diskimages of the main file`, suggestion ? { suggestion } : {}),
      );
    }
    if (name !== undefined && isRecord(image["env-vars"])) {
      contribution.envVars.set(name, { ...contribution.envVars.get(name), ...image["env-vars"] });
    }
  }
  const servers = value["zookeeper-servers"];
  if (Array.isArray(servers) && servers.length > 0) contribution.zookeeperServers = servers;
  return { findings, contribution };
}

/** The main config as written with the secure file's contribution merged in. */
export function mergeSecure(config: RawRecord, contribution: SecureContribution): RawRecord {
  const merged: RawRecord = { ...config };
  if (contribution.zookeeperServers !== undefined) merged["zookeeper-servers"] = contribution.zookeeperServers;
  if (contribution.envVars.size > 0 && Array.isArray(config["diskimages"])) {
    merged["diskimages"] = config["diskimages"].map((image: unknown) => {
      const extra = isRecord(image) ? contribution.envVars.get(stringAt(image, "name") ?? "") : undefined;
      if (!isRecord(image) || extra === undefined) return image;
      return { ...image, "env-vars": { ...(isRecord(image["env-vars"]) ? image["env-vars"] : {}), ...extra } };
    });
  }
  return merged;
}
