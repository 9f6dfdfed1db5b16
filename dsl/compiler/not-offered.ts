/**
 * Keys a loaded YAML file may hold for compatibility but the DSL never emits (spec/config.md §7):
 * static nodes' deprecated `ssh-port` (write `connection-port`) and AWS pools' `host-key-checking`
 * (the reference validator rejects it). The DSL's types do not offer them; this catches values that
 * bypassed the types.
 */
import type { PathSegment } from "../../schema/index.ts";

export interface UnofferedKey {
  path: PathSegment[];
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function records(value: unknown): Array<[Record<string, unknown>, number]> {
  return Array.isArray(value) ? value.flatMap((item: unknown, index) => (isRecord(item) ? [[item, index] as [Record<string, unknown>, number]] : [])) : [];
}

export function unofferedKeys(config: unknown): UnofferedKey[] {
  const found: UnofferedKey[] = [];
  if (!isRecord(config)) return found;
  for (const [provider, p] of records(config.providers)) {
    for (const [pool, q] of records(provider.pools)) {
      const poolPath: PathSegment[] = ["providers", p, "pools", q];
      if (provider.driver === "aws" && "host-key-checking" in pool) {
        found.push({
          path: [...poolPath, "host-key-checking"],
          message: "the reference config-validate rejects host-key-checking on AWS pools, so the DSL does not write it; leave it out",
        });
      }
      for (const [node, n] of records(pool.nodes)) {
        if ("ssh-port" in node) {
          found.push({ path: [...poolPath, "nodes", n, "ssh-port"], message: "ssh-port is the deprecated name of connection-port; write connection-port" });
        }
      }
    }
  }
  return found;
}
