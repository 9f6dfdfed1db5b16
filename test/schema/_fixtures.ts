/** The fixture configs of spec/config.md §8 and the verdicts the spec records for them. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const fixturesDir = new URL("../../../shared/fixtures/nodepool-configs/", import.meta.url).pathname;

/** §8.2: the files the reference rejects (after substitution); every other file is accepted. */
export const rejected = new Set([
  "aws.yaml",
  "clouds.yaml",
  "config_validate/schema_error.yaml",
  "config_validate/static_error.yaml",
  "config_validate/yaml_error.yaml",
  "integration_noocc.yaml",
  "fake.yaml",
]);

/** §8.1: files that are not templates and must be loaded byte for byte. */
function isTemplate(file: string): boolean {
  return !file.startsWith("config_validate/") && !["aws.yaml", "clouds.yaml", "fake.yaml"].includes(file);
}

const placeholders: Record<string, string> = {
  zookeeper_host: "zk1.example.org",
  zookeeper_port: "2181",
  zookeeper_chroot: "/nodepool-test/fixture",
  images_dir: "/tmp/nodepool-test/images",
  build_log_dir: "/tmp/nodepool-test/builds",
  context_name: "test-context",
};

/** Python str.format-style substitution of the §8.1 placeholders (`{{`/`}}` are literal braces). */
export function fillPlaceholders(text: string): string {
  return text.replace(/\{\{|\}\}|\{([a-z_]+)\}/g, (match, name: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const value = name === undefined ? undefined : placeholders[name];
    if (value === undefined) throw new Error(`fixture placeholder ${match} has no value in spec §8.1`);
    return value;
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : name.endsWith(".yaml") ? [path] : [];
  });
}

export interface Fixture {
  /** Path relative to the fixtures folder, as the spec names it. */
  name: string;
  text: string;
}

export function fixtures(): Fixture[] {
  return walk(fixturesDir)
    .map((path) => relative(fixturesDir, path))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(fixturesDir, name), "utf8");
      return { name, text: isTemplate(name) ? fillPlaceholders(raw) : raw };
    });
}
