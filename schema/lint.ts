/**
 * Lint warnings (spec/config.md §4.4): what the reference accepts and runs with, but a person
 * probably did not mean. Warnings never fail validation.
 */
import type { PathSegment } from "./diagnostics.ts";
import { formatPath } from "./diagnostics.ts";
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
    if (earlier === undefined) {
      first.set(entry.key, entry);
      continue;
    }
    const message = `duplicate ${kind} '${entry.key}' (first defined at ${formatPath(earlier.path)}); the last definition wins`;
    findings.push(warning("lint.duplicate-name", entry.path, message));
  }
  return findings;
}

function named(owner: unknown, key: string, prefix: PathSegment[]): Entry[] {
  return recordsOf(owner, key).flatMap(([item, i]) => {
    const name = stringAt(item, "name");
    return name === undefined ? [] : [{ key: name, path: [...prefix, key, i, "name"] }];
  });
}

function numberAt(owner: RawRecord, key: string): number | undefined {
  const value = owner[key];
  return typeof value === "number" ? value : undefined;
}

function ports(owner: RawRecord, keys: string[], path: PathSegment[]): Finding[] {
  return keys.flatMap((key) => {
    const port = numberAt(owner, key);
    if (port === undefined || (port >= 1 && port <= 65535)) return [];
    return [warning("lint.port-range", [...path, key], `port ${port} is outside 1-65535`)];
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
    const literal = format.replaceAll("{{", "").replaceAll("}}", "");
    const used = [...literal.matchAll(/\{([^{}.[\]!:]*)/g)].map((m) => m[1] ?? "");
    const allowed = roots.map((r) => `{${r}}`).join(", ");
    return used
      .filter((root) => !roots.includes(root))
      .map((root) => warning("lint.format-placeholder", [...path, key], `placeholder '{${root}}' is not one of ${allowed}; it fails when used`));
  });
}

/** Upload `meta` that the reference silently drops (§3.4.2); non-string values are schema errors. */
function droppedMeta(image: RawRecord, path: PathSegment[]): Finding[] {
  const meta = isRecord(image["meta"]) ? Object.entries(image["meta"]) : [];
  const tooLong = (text: string): boolean => text.length > META_MAX_LENGTH;
  let reason: string | undefined;
  if (meta.length > META_MAX_ENTRIES) reason = `more than ${META_MAX_ENTRIES} entries`;
  else if (meta.some(([k, v]) => tooLong(k) || (typeof v === "string" && tooLong(v)))) {
    reason = `a key or value is longer than ${META_MAX_LENGTH} characters`;
  }
  return reason === undefined ? [] : [warning("lint.meta-dropped", [...path, "meta"], `meta is ignored: ${reason} (the reference drops the whole map)`)];
}

function providerSettings(provider: RawRecord, path: PathSegment[]): Finding[] {
  const findings = [...formatPlaceholders(provider, path), ...timeouts(provider, ["boot-timeout", "launch-timeout"], path)];
  if ("nodepool-id" in provider) {
    findings.push(warning("lint.deprecated", [...path, "nodepool-id"], "nodepool-id is deprecated and ignored", { at: "key" }));
  }
  if (provider["max-concurrency"] === 0) {
    const message = "max-concurrency 0 makes this provider take no requests at all; leave it out for no limit";
    findings.push(warning("lint.max-concurrency-zero", [...path, "max-concurrency"], message));
  }
  const retries = numberAt(provider, "launch-retries");
  if (retries !== undefined && retries < 1) {
    findings.push(warning("lint.launch-retries", [...path, "launch-retries"], "launch-retries below 1: no launch is attempted"));
  }
  return findings;
}

function labelFindings(driver: unknown, label: RawRecord, path: PathSegment[], uploaded: Set<string>): Finding[] {
  const findings: Finding[] = [];
  const openstack = driver === "openstack" || driver === "fake";
  const diskimage = stringAt(label, "diskimage");
  if (openstack && diskimage !== undefined && !uploaded.has(diskimage)) {
    const message = `diskimage '${diskimage}' is not in this provider's diskimages, so it is never uploaded here and the pool declines requests for this label`;
    findings.push(warning("lint.diskimage-not-uploaded", [...path, "diskimage"], message));
  }
  if (openstack && "volume-size" in label && label["boot-from-volume"] !== true) {
    const message = "volume-size has no effect without boot-from-volume: true";
    findings.push(warning("lint.volume-size-unused", [...path, "volume-size"], message, { at: "key" }));
  }
  if (driver === "kubernetes" || driver === "openshift") {
    const kinds = driver === "kubernetes" ? ["namespace", "pod"] : ["project", "pod"];
    const fallback = driver === "kubernetes" ? "pod" : "project";
    const type = stringAt(label, "type");
    if (type !== undefined && !kinds.includes(type)) {
      findings.push(warning("lint.label-type", [...path, "type"], `type '${type}' is not ${kinds.join(" or ")}; it is treated as ${fallback}`));
    }
    if (type === "pod" && !("image" in label)) {
      findings.push(warning("lint.pod-without-image", path, "a pod label without image cannot start a pod"));
    }
  }
  if (driver === "aws" && !("cloud-image" in label)) {
    findings.push(warning("lint.aws-label-without-cloud-image", path, "an AWS label without cloud-image can never launch"));
  }
  return findings;
}

function staticNodeFindings(node: RawRecord, path: PathSegment[]): Finding[] {
  const findings = [...ports(node, ["connection-port", "ssh-port"], path), ...timeouts(node, ["timeout"], path)];
  if ("ssh-port" in node) {
    const message = "ssh-port is deprecated; use connection-port (the reference config-validate rejects ssh-port)";
    findings.push(warning("lint.deprecated", [...path, "ssh-port"], message, { at: "key", suggestion: "connection-port" }));
  }
  const labels = node["labels"];
  if (typeof labels === "string" && labels.trim().split(/\s+/).length > 1) {
    const message = "several labels in one string: the node record carries them as one label; write a list";
    findings.push(warning("lint.static-labels-string", [...path, "labels"], message));
  }
  return findings;
}

function poolFindings(driver: unknown, pool: RawRecord, path: PathSegment[], uploaded: Set<string>): Finding[] {
  const findings: Finding[] = [];
  if (driver !== "static") findings.push(...duplicates("label in this pool", named(pool, "labels", path)));
  if (driver === "aws" && "host-key-checking" in pool) {
    const message = "accepted and honoured, but the reference config-validate rejects host-key-checking on AWS pools";
    findings.push(warning("lint.reference-rejects", [...path, "host-key-checking"], message, { at: "key" }));
  }
  for (const [label, k] of recordsOf(pool, "labels")) findings.push(...labelFindings(driver, label, [...path, "labels", k], uploaded));
  for (const [node, n] of recordsOf(pool, "nodes")) findings.push(...staticNodeFindings(node, [...path, "nodes", n]));
  return findings;
}

function providerFindings(provider: RawRecord, p: number): Finding[] {
  const path: PathSegment[] = ["providers", p];
  const driver = driverOf(provider);
  const findings = [
    ...providerSettings(provider, path),
    ...duplicates("pool", named(provider, "pools", path)),
    ...duplicates("cloud-image", named(provider, "cloud-images", path)),
    ...duplicates("provider diskimage", named(provider, "diskimages", path)),
  ];
  for (const [image, i] of recordsOf(provider, "diskimages")) {
    findings.push(...ports(image, ["connection-port"], [...path, "diskimages", i]), ...droppedMeta(image, [...path, "diskimages", i]));
  }
  for (const [image, i] of recordsOf(provider, "cloud-images")) findings.push(...ports(image, ["connection-port"], [...path, "cloud-images", i]));
  const uploaded = new Set(recordsOf(provider, "diskimages").flatMap(([image]) => stringAt(image, "name") ?? []));
  for (const [pool, q] of recordsOf(provider, "pools")) findings.push(...poolFindings(driver, pool, [...path, "pools", q], uploaded));
  return findings;
}

function zookeeperFindings(config: RawRecord): Finding[] {
  const servers = recordsOf(config, "zookeeper-servers");
  const identities = servers.map(([server, i]) => ({
    key: `${String(server["host"])}:${String(server["port"] ?? 2181)}`,
    path: ["zookeeper-servers", i],
  }));
  const findings = duplicates("ZooKeeper server", identities);
  const firstChroot = servers[0]?.[0]["chroot"];
  for (const [server, i] of servers) {
    findings.push(...ports(server, ["port"], ["zookeeper-servers", i]));
    if (server["chroot"] !== firstChroot) {
      const message = "every ZooKeeper server should use the same chroot (the connection string carries one per entry)";
      findings.push(warning("lint.zookeeper-chroot", ["zookeeper-servers", i], message));
    }
    const chroot = stringAt(server, "chroot");
    if (chroot !== undefined && !chroot.startsWith("/")) {
      findings.push(warning("lint.zookeeper-chroot", ["zookeeper-servers", i, "chroot"], "a chroot should start with '/'"));
    }
  }
  return findings;
}

/** X8: labels no pool offers; requests for them are declined by every launcher. */
function unusedLabels(config: RawRecord, providers: Array<[RawRecord, number]>): Finding[] {
  const offered = new Set(
    providers.flatMap(([provider]) =>
      recordsOf(provider, "pools").flatMap(([pool]) => poolLabels(driverOf(provider), pool).map(([label]) => label)),
    ),
  );
  return recordsOf(config, "labels").flatMap(([label, i]) => {
    const name = stringAt(label, "name");
    if (name === undefined || offered.has(name)) return [];
    return [warning("lint.unused-label", ["labels", i, "name"], `label '${name}' is not provided by any pool; requests for it will be declined`)];
  });
}

/** X9 and the newer-release keys of top-level diskimages. */
function diskimageFindings(config: RawRecord, providers: Array<[RawRecord, number]>): Finding[] {
  const listed = new Set(
    providers.flatMap(([provider]) => recordsOf(provider, "diskimages").flatMap(([image]) => stringAt(image, "name") ?? [])),
  );
  const parents = new Set(recordsOf(config, "diskimages").flatMap(([image]) => stringAt(image, "parent") ?? []));
  const findings: Finding[] = [];
  for (const [image, i] of recordsOf(config, "diskimages")) {
    const path: PathSegment[] = ["diskimages", i];
    findings.push(...timeouts(image, ["build-timeout"], path));
    for (const key of newerDiskimageKeys.filter((k) => k in image)) {
      const message = `${key} is a key of newer Nodepool releases; Nodepool 3.x rejects it`;
      findings.push(warning("lint.newer-key", [...path, key], message, { at: "key" }));
    }
    const name = stringAt(image, "name");
    const builtOnly = name !== undefined && !listed.has(name) && !parents.has(name);
    if (builtOnly && !("formats" in image) && image["abstract"] !== true) {
      const message = `diskimage '${name}' is not listed by any provider: it is built (as qcow2) but never uploaded`;
      findings.push(warning("lint.unused-diskimage", [...path, "name"], message));
    }
  }
  return findings;
}

export function lintFindings(config: RawRecord): Finding[] {
  const providers = recordsOf(config, "providers");
  const staticNodes = providers.flatMap(([provider, p]) =>
    driverOf(provider) !== "static"
      ? []
      : recordsOf(provider, "pools").flatMap(([pool, q]) => named(pool, "nodes", ["providers", p, "pools", q])),
  );
  const findings = [
    ...(isRecord(config["webapp"]) ? ports(config["webapp"], ["port"], ["webapp"]) : []),
    ...zookeeperFindings(config),
    ...duplicates("label", named(config, "labels", [])),
    ...duplicates("diskimage", named(config, "diskimages", [])),
    ...duplicates("provider", named(config, "providers", [])),
    ...duplicates("static node", staticNodes),
    ...providers.flatMap(([provider, p]) => providerFindings(provider, p)),
    ...unusedLabels(config, providers),
    ...diskimageFindings(config, providers),
  ];
  if ("tenant-resource-limits" in config) {
    const message = "tenant-resource-limits is a key of newer Nodepool releases; Nodepool 3.x rejects it";
    findings.push(warning("lint.newer-key", ["tenant-resource-limits"], message, { at: "key" }));
  }
  return findings;
}
