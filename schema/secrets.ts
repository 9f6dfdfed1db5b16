/**
 * Which configuration values are secret, in one place, so the CLI (`plan`), the web API and
 * logs can mask them: everything that came from the secure file, and DIB env-vars whose
 * name says they hold a credential.
 */
import type { NodepoolConfig } from "./config.ts";
import { formatPath } from "./diagnostics.ts";
import type { PathSegment } from "./diagnostics.ts";
import type { RawRecord } from "./_raw.ts";
import { isRecord, recordsOf, stringAt } from "./_raw.ts";
import type { SecureContribution } from "./secure.ts";

export const MASK = "********";

const credentialName = /pass(word|wd)?|secret|token|credential|private[_-]?key|api[_-]?key|auth/i;

/** A DIB env-var whose name says it holds a credential, wherever it is written. */
export function isSecretEnvVar(name: string): boolean {
  return credentialName.test(name);
}

/** For each diskimage, the env-var names it received from the secure file, itself or through its parents. */
function secureEnvVarNames(raw: RawRecord, contribution: SecureContribution | undefined): Map<string, Set<string>> {
  const byName = new Map(recordsOf(raw, "diskimages").map(([image]) => [stringAt(image, "name") ?? "", image]));
  const result = new Map<string, Set<string>>();
  for (const name of byName.keys()) {
    const keys = new Set<string>();
    const seen = new Set<string>();
    for (let current: string | undefined = name; current !== undefined && !seen.has(current); current = stringAt(byName.get(current), "parent")) {
      seen.add(current);
      for (const key of Object.keys(contribution?.envVars.get(current) ?? {})) keys.add(key);
    }
    result.set(name, keys);
  }
  return result;
}

/** Key paths (as in diagnostics: `diskimages[0].env-vars.REGISTRY_PASSWORD`) of every secret value in the effective config. */
export function secretPathsOf(config: NodepoolConfig, raw: RawRecord, contribution?: SecureContribution): string[] {
  const fromSecure = secureEnvVarNames(raw, contribution);
  const paths: string[] = [];
  config.diskimages.forEach((image, i) => {
    for (const key of Object.keys(image["env-vars"])) {
      if (isSecretEnvVar(key) || fromSecure.get(image.name)?.has(key)) paths.push(formatPath(["diskimages", i, "env-vars", key]));
    }
  });
  if (contribution?.zookeeperServers !== undefined) {
    config["zookeeper-servers"].forEach((server, i) => {
      paths.push(formatPath(["zookeeper-servers", i, "host"]));
      if (server.chroot !== undefined) paths.push(formatPath(["zookeeper-servers", i, "chroot"]));
    });
  }
  return paths;
}

/** A copy of the value with every string at one of the secret paths replaced by the mask. */
export function maskSecrets<T>(value: T, secretPaths: readonly string[]): T {
  const secret = new Set(secretPaths);
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === "string") return secret.has(formatPath(path)) ? MASK : node;
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    return node;
  };
  return walk(value, []) as T;
}
