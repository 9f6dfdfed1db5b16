/**
 * The reference's bool-as-int quirk (spec/config.md §4.5): Python counts `True` as an int, so
 * `min-ready: true` passes its validator and means 1. Accept it as 1 or 0, with a warning.
 */
import type { z } from "zod";
import type { PathSegment } from "./diagnostics.ts";
import { isRecord, valueAt } from "./_raw.ts";
import type { Finding } from "./findings.ts";
import { warning } from "./findings.ts";

type Issue = z.core.$ZodIssue;

function boolAsIntPaths(issues: readonly Issue[], raw: unknown): PathSegment[][] {
  return issues
    .filter((issue) => issue.code === "invalid_type" && (issue.expected === "number" || issue.expected === "int"))
    .map((issue) => issue.path.filter((p): p is PathSegment => typeof p !== "symbol"))
    .filter((path) => typeof valueAt(raw, path) === "boolean");
}

function replaced(raw: unknown, path: readonly PathSegment[], value: number): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(raw) && typeof head === "number") {
    return raw.map((item, i) => (i === head ? replaced(item, rest, value) : item));
  }
  if (isRecord(raw) && typeof head === "string") return { ...raw, [head]: replaced(raw[head], rest, value) };
  return raw;
}

/** The value with booleans in integer places turned into 1 or 0, and a warning for each. */
export function fixBoolAsInt(issues: readonly Issue[], raw: unknown): { value: unknown; findings: Finding[] } {
  let value = raw;
  const findings: Finding[] = [];
  for (const path of boolAsIntPaths(issues, raw)) {
    const flag = valueAt(raw, path) === true;
    value = replaced(value, path, flag ? 1 : 0);
    findings.push(
      warning(
        "lint.bool-as-int",
        path,
        `a boolean where an integer is expected; read as ${flag ? 1 : 0} like the reference does (write ${flag ? 1 : 0})`,
      ),
    );
  }
  return { value, findings };
}
