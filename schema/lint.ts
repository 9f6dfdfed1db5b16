/**
 * Lint warnings (spec/config.md §4.4): what the reference accepts and runs with, but a person
 * probably did not mean. Warnings never fail validation.
 */
import type { PathSegment } from "./diagnostics.ts";
import { newerDiskimageKeys } from "./diskimages.ts";
import type { Finding } from "./findings.ts";
import { warning } from "./findings.ts";
import type { RawRecord } from "./_raw.ts";
import { driverOf, isRecord, recordsOf, stringAt } from "./_raw.ts";
import { META_MAX_ENTRIES, META_MAX_LENGTH } from "./providers/openstack.ts";
import { poolLabels } from "./references.ts";

type Entry = { key: string; path: PathSegment[] };

/** X7: names that should be unique; the reference silently keeps the last. */
function duplicates(kind: string, entries: Entry[]): Finding[] {
  const first = new Map<string, Entry>();
  const findings: Finding[] = [];
  for (const entry of entries) {
    const earlier = first.get(entry.key);
    if (earlier === undefined) first.set(entry.key, entry);
    else {
      findings.push(
        warning("lint.duplicate-name", entry.path, `duplicate ${kind} '${entry.key}' (first defined at ${earlier.path.join(".").replace(/\.(\d+)/g, "[$1]")}); the last definition wins`),
      );
    }
  }
  return findings;
}

function named(owner: unknown, key: string, prefix: PathSegment[]): Entry[] {
  return recordsOf(owner, key).flatMap(([item, i]) => {
    const name = stringAt(item, "name");
    return name === undefined ? [] : [{ key: name, path: [...prefix, key, i, "name"] }];
  });
}

const numberAt = (owner: RawRecord, key: string): number | undefined =>
  typeof owner[key] === "number" ? (owner[key] as number) : undefined;

function ports(owner: RawRecord, keys: string[], path: PathSegment[]): Finding[] {
  return keys.flatMap((key) => {
    const port = numberAt(owner, key);
    return port !== undefined && (port < 1 || port > 65535)
      ? [warning("lint.port-range", [...path, key], `port ${port} is outside 1-65535`)]
      : [];
  });
}

function timeouts(owner: RawRecord, keys: string[], path: PathSegment[]): Finding[] {
  return keys.flatMap((key) => {
    const value = numberAt(owner, key);
    return value !== undefined && value < 0 ? [warning("lint.negative-timeout", [...path, key], `${key} is negative`)] : [];
  });
}

const formatRoots: Record<string, string[]> = {
  "hostname-format": ["label", "provider", "node"],
  "image-name-format": ["image_name", "timestamp"],
};

/** X10: a format placeholder naming anything else fails only when a node or upload is made. */
function formatPlaceholders(provider: RawRecord, path: PathSegment[]): Finding[] {
  return Object.entries(formatRoots).flatMap(([key, roots]) => {
    const format = stringAt(provider, key);
    if (format === undefined) return [];
    // `{{` and `}}` are literal braces in Python's str.format.
    const used = [...format.replaceAll("{{", "").replaceAll("}}", "").matchAll(/\{([^{}.[\]!:]*)/g)].map((m) => m[1] ?? "");
    return used
      .filter((root) => !roots.includes(root))
      .map((root) => warning("lint.format-placeholder", [...path, key], `placeholder '{${root}}' is not one of ${roots.map((r) => `{${r}}`).join(", ")}; it fails when used`));
  });
}

function providerFindings(provider: RawRecord, p: number): Finding[] {
  const path: PathSegment[] = ["providers", p];
  const driver = driverOf(provider);
  const findings: Finding[] = [...formatPlaceholders(provider, path), ...timeouts(provider, ["boot-timeout", "launch-timeout"], path)];
  if ("nodepool-id" in provider) findings.push(warning("lint.deprecated", [...path, "nodepool-id"], "nodepool-id is deprecated and ignored", { at: "key" }));
  if (provider["max-concurrency"] === 0) {
    findings.push(warning("lint.max-concurrency-zero", [...path, "max-concurrency"], "max-concurrency 0 makes this provider take no requests at all; leave it out for no limit"));
  }
  const retries = numberAt(provider, "launch-retries");
  if (retries !== undefined && retries < 1) findings.push(warning("lint.launch-retries", [...path, "launch-retries"], "launch-retries below 1: no launch is attempted"));
  findings.push(...duplicates("pool", named(provider, "pools", path)));
  findings.push(...duplicates("cloud-image", named(provider, "cloud-images", path)));
  findings.push(...duplicates("provider diskimage", named(provider, "diskimages", path)));
  for (const [image, i] of recordsOf(provider, "diskimages")) {
    const imagePath = [...path, "diskimages", i];
    findings.push(...ports(image, ["connection-port"], imagePath));
    const meta = isRecord(image["meta"]) ? Object.entries(image["meta"]) : [];
    if (meta.length > META_MAX_ENTRIES) {
      findings.push(warning("lint.meta-dropped", [...imagePath, "meta"], `meta is ignored: more than ${META_MAX_ENTRIES} entries (the reference drops the whole map)`));
    } else if (meta.some(([k, v]) => k.length > META_MAX_LENGTH || (typeof v === "string" && v.length > META_MAX_LENGTH))) {
      findings.push(warning("lint.meta-dropped", [...imagePath, "meta"], `meta is ignored: a key or value is longer than ${META_MAX_LENGTH} characters`));
    }
  }
  for (const [image, i] of recordsOf(provider, "cloud-images")) findings.push(...ports(image, ["connection-port"], [...path, "cloud-images", i]));
  const uploaded = new Set(recordsOf(provider, "diskimages").flatMap(([image]) => stringAt(image, "name") ?? []));
  for (const [pool, q] of recordsOf(provider, "pools")) {
    const poolPath = [...path, "pools", q];
    if (driver !== "static") findings.push(...duplicates("label in this pool", named(pool, "labels", poolPath)));
    if (driver === "aws" && "host-key-checking" in pool) {
      findings.push(warning("lint.reference-rejects", [...poolPath, "host-key-checking"], "accepted and honoured, but the reference config-validate rejects host-key-checking on AWS pools", { at: "key" }));
    }
    for (const [label, k] of recordsOf(pool, "labels")) findings.push(...labelFindings(driver, label, [...poolPath, "labels", k], uploaded));
    for (const [node, n] of recordsOf(pool, "nodes")) findings.push(...staticNodeFindings(node, [...poolPath, "nodes", n]));
  }
  return findings;
}

function labelFindings(driver: unknown, label: RawRecord, path: PathSegment[], uploaded: Set<string>): Finding[] {
  const findings: Finding[] = [];
  const diskimage = stringAt(label, "diskimage");
  if ((driver === "openstack" || driver === "fake") && diskimage !== undefined && !uploaded.has(diskimage)) {
    findings.push(warning("lint.diskimage-not-uploaded", [...path, "diskimage"], `diskimage '${diskimage}' is not in this provider's diskimages, so it is never uploaded here and the pool declines requests for this label`));
  }
  if ((driver === "openstack" || driver === "fake") && "volume-size" in label && label["boot-from-volume"] !== true) {
    findings.push(warning("lint.volume-size-unused", [...path, "volume-size"], "volume-size has no effect without boot-from-volume: true", { at: "key" }));
  }
  if (driver === "kubernetes" || driver === "openshift") {
    const kinds = driver === "kubernetes" ? ["namespace", "pod"] : ["project", "pod"];
    const type = stringAt(label, "type");
    if (type !== undefined && !kinds.includes(type)) {
      findings.push(warning("lint.label-type", [...path, "type"], `type '${type}' is not ${kinds.join(" or ")}; it is treated as ${driver === "kubernetes" ? "pod" : "project"}`));
    }
    if (type === "pod" && !("image" in label)) findings.push(warning("lint.pod-without-image", path, "a pod label without image cannot start a pod"));
  }
  if (driver === "aws" && !("cloud-image" in label)) findings.push(warning("lint.aws-label-without-cloud-image", path, "an AWS label without cloud-image can never launch"));
  return findings;
}

function staticNodeFindings(node: RawRecord, path: PathSegment[]): Finding[] {
  const findings: Finding[] = [...ports(node, ["connection-port", "ssh-port"], path), ...timeouts(node, ["timeout"], path)];
  if ("ssh-port" in node) {
    findings.push(warning("lint.deprecated", [...path, "ssh-port"], "ssh-port is deprecated; use connection-port (the reference config-validate rejects ssh-port)", { at: "key", suggestion: "connection-port" }));
  }
  const labels = node["labels"];
  if (typeof labels === "string" && labels.trim().split(/\s+/).length > 1) {
    findings.push(warning("lint.static-labels-string", [...path, "labels"], "several labels in one string: the node record carries them as one label; write a list"));
  }
  return findings;
}

export function lintFindings(config: RawRecord): Finding[] {
  const findings: Finding[] = [];
  const webapp = config["webapp"];
  if (isRecord(webapp)) findings.push(...ports(webapp, ["port"], ["webapp"]));
  const servers = recordsOf(config, "zookeeper-servers");
  findings.push(
    ...duplicates(
      "ZooKeeper server",
      servers.map(([server, i]) => ({ key: `${String(server["host"])}:${String(server["port"] ?? 2181)}`, path: ["zookeeper-servers", i] })),
    ),
  );
  for (const [server, i] of servers) {
    findings.push(...ports(server, ["port"], ["zookeeper-servers", i]));
    const chroot = stringAt(server, "chroot");
    if (chroot !== undefined && !chroot.startsWith("/")) findings.push(warning("lint.zookeeper-chroot", ["zookeeper-servers", i, "chroot"], "a chroot should start with '/'"));
  }
  findings.push(...duplicates("label", named(config, "labels", [])));
  findings.push(...duplicates("diskimage", named(config, "diskimages", [])));
  findings.push(...duplicates("provider", named(config, "providers", [])));
  const providers = recordsOf(config, "providers");
  const staticNodes = providers.flatMap(([provider, p]) =>
    driverOf(provider) === "static"
      ? recordsOf(provider, "pools").flatMap(([pool, q]) => named(pool, "nodes", ["providers", p, "pools", q]))
      : [],
  );
  findings.push(...duplicates("static node", staticNodes));
  providers.forEach(([provider, p]) => findings.push(...providerFindings(provider, p)));

  const offered = new Set(providers.flatMap(([provider]) => recordsOf(provider, "pools").flatMap(([pool]) => poolLabels(driverOf(provider), pool).map(([label]) => label))));
  for (const [label, i] of recordsOf(config, "labels")) {
    const name = stringAt(label, "name");
    if (name !== undefined && !offered.has(name)) findings.push(warning("lint.unused-label", ["labels", i, "name"], `label '${name}' is not provided by any pool; requests for it will be declined`));
  }
  const listedImages = new Set(providers.flatMap(([provider]) => recordsOf(provider, "diskimages").flatMap(([image]) => stringAt(image, "name") ?? [])));
  const parents = new Set(recordsOf(config, "diskimages").flatMap(([image]) => stringAt(image, "parent") ?? []));
  for (const [image, i] of recordsOf(config, "diskimages")) {
    const name = stringAt(image, "name");
    const imagePath: PathSegment[] = ["diskimages", i];
    findings.push(...timeouts(image, ["build-timeout"], imagePath));
    for (const key of newerDiskimageKeys.filter((k) => k in image)) {
      findings.push(warning("lint.newer-key", [...imagePath, key], `${key} is a key of newer Nodepool releases; Nodepool 3.x rejects it`, { at: "key" }));
    }
    if (name !== undefined && !listedImages.has(name) && !("formats" in image) && image["abstract"] !== true && !parents.has(name)) {
      findings.push(warning("lint.unused-diskimage", [...imagePath, "name"], `diskimage '${name}' is not listed by any provider: it is built (as qcow2) but never uploaded`));
    }
  }
  if ("tenant-resource-limits" in config) {
    findings.push(warning("lint.newer-key", ["tenant-resource-limits"], "tenant-resource-limits is a key of newer Nodepool releases; Nodepool 3.x rejects it", { at: "key" }));
  }
  return findings;
}
