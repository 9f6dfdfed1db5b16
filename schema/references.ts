/**
 * Cross-references the daemons need (spec/config.md §3.10 X1–X4): pool and static-node labels,
 * provider diskimages, label diskimages and cloud-images must name something defined.
 * Broken references are errors: the reference loader cannot run with them.
 */
import type { PathSegment } from "./diagnostics.ts";
import type { Finding } from "./findings.ts";
import { error } from "./findings.ts";
import type { RawRecord } from "./_raw.ts";
import { driverOf, itemsOf, recordsOf, stringAt } from "./_raw.ts";
import { didYouMean } from "./suggest.ts";

function names(owner: unknown, key: string): Set<string> {
  return new Set(recordsOf(owner, key).flatMap(([item]) => stringAt(item, "name") ?? []));
}

/** The names that exist, for the message; a long list is cut, the suggestion names the likely one. */
function listed(defined: Set<string>): string {
  if (defined.size === 0) return "none are defined";
  const names = [...defined];
  return names.length <= 10 ? `defined: ${names.join(", ")}` : `defined: ${names.slice(0, 10).join(", ")} and ${names.length - 10} more`;
}

function undefinedRef(code: string, path: PathSegment[], what: string, name: string, where: string, defined: Set<string>): Finding {
  const suggestion = didYouMean(name, defined);
  return error(code, path, `${what} '${name}' is not defined in ${where} (${listed(defined)})`, suggestion ? { suggestion } : {});
}

/** The label names a static node offers: a string is split on whitespace for the pool's set. */
export function staticNodeLabels(node: RawRecord): Array<[label: string, path: PathSegment[]]> {
  const labels = node["labels"];
  if (typeof labels === "string") return labels.split(/\s+/).filter(Boolean).map((label) => [label, ["labels"]]);
  return Array.isArray(labels) ? labels.flatMap((label, i) => (typeof label === "string" ? [[label, ["labels", i]]] : [])) : [];
}

/** Every label name a pool offers, with the path where it is written (relative to the pool). */
export function poolLabels(driver: unknown, pool: RawRecord): Array<[label: string, path: PathSegment[]]> {
  if (driver === "static") {
    return recordsOf(pool, "nodes").flatMap(([node, n]) =>
      staticNodeLabels(node).map(([label, path]): [string, PathSegment[]] => [label, ["nodes", n, ...path]]),
    );
  }
  if (driver === "test") {
    return itemsOf(pool, "labels").flatMap(([label, k]) => (typeof label === "string" ? [[label, ["labels", k]]] : []));
  }
  return recordsOf(pool, "labels").flatMap(([label, k]) => {
    const name = stringAt(label, "name");
    return name === undefined ? [] : [[name, ["labels", k, "name"]]];
  });
}

const imageDrivers = new Set(["openstack", "fake"]);
const cloudImageDrivers = new Set(["openstack", "fake", "aws"]);

export function referenceFindings(config: RawRecord): Finding[] {
  const findings: Finding[] = [];
  const labels = names(config, "labels");
  const allImages = names(config, "diskimages");
  const abstractImages = new Set(
    recordsOf(config, "diskimages").flatMap(([image]) => (image["abstract"] === true ? (stringAt(image, "name") ?? []) : [])),
  );
  const images = new Set([...allImages].filter((name) => !abstractImages.has(name)));
  const imageRef = (path: PathSegment[], name: string): Finding =>
    abstractImages.has(name)
      ? error("ref.abstract-diskimage", path, `diskimage '${name}' is abstract: only a parent for other diskimages, never built`)
      : undefinedRef("ref.undefined-diskimage", path, "diskimage", name, "the top-level diskimages", images);

  for (const [image, i] of recordsOf(config, "diskimages")) {
    const parent = stringAt(image, "parent");
    if (parent !== undefined && !allImages.has(parent)) {
      const path = ["diskimages", i, "parent"];
      findings.push(undefinedRef("ref.undefined-diskimage", path, "parent diskimage", parent, "the top-level diskimages", allImages));
    }
  }
  for (const [provider, p] of recordsOf(config, "providers")) {
    const driver = driverOf(provider);
    const providerName = stringAt(provider, "name") ?? `#${p}`;
    const cloudImages = names(provider, "cloud-images");
    if (imageDrivers.has(String(driver))) {
      for (const [image, d] of recordsOf(provider, "diskimages")) {
        const name = stringAt(image, "name");
        if (name !== undefined && !images.has(name)) findings.push(imageRef(["providers", p, "diskimages", d, "name"], name));
      }
    }
    for (const [pool, q] of recordsOf(provider, "pools")) {
      const poolPath: PathSegment[] = ["providers", p, "pools", q];
      for (const [label, path] of poolLabels(driver, pool)) {
        if (!labels.has(label)) {
          findings.push(undefinedRef("ref.undefined-label", [...poolPath, ...path], "label", label, "the top-level labels", labels));
        }
      }
      for (const [label, k] of recordsOf(pool, "labels")) {
        const diskimage = stringAt(label, "diskimage");
        if (imageDrivers.has(String(driver)) && diskimage !== undefined && !images.has(diskimage)) {
          findings.push(imageRef([...poolPath, "labels", k, "diskimage"], diskimage));
        }
        const cloudImage = stringAt(label, "cloud-image");
        if (cloudImageDrivers.has(String(driver)) && cloudImage !== undefined && !cloudImages.has(cloudImage)) {
          const path = [...poolPath, "labels", k, "cloud-image"];
          const where = `the cloud-images of provider '${providerName}'`;
          findings.push(undefinedRef("ref.undefined-cloud-image", path, "cloud-image", cloudImage, where, cloudImages));
        }
      }
    }
  }
  return findings;
}
