/**
 * Turning zod's issues into findings a person can act on: what was expected, what was found,
 * which keys are allowed where an unknown one was written, and the likely intended spelling.
 */
import { z } from "zod";
import type { PathSegment } from "./diagnostics.ts";
import { driverOf, isRecord, valueAt } from "./_raw.ts";
import type { Finding } from "./findings.ts";
import { error } from "./findings.ts";
import { driverNames, driverSchemas } from "./providers/index.ts";
import { didYouMean } from "./suggest.ts";

type Issue = z.core.$ZodIssue;

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return current;
  }
}

/** The branch of a provider union the value selects by its `driver`. */
function pick(schema: z.ZodType, value: unknown): z.ZodType {
  const bare = unwrap(schema);
  if (!(bare instanceof z.ZodDiscriminatedUnion) || !isRecord(value)) return bare;
  const driver = driverOf(value);
  const match = driverNames.find((name) => name === driver);
  return match === undefined ? bare : driverSchemas[match];
}

/** The schema that checks the value at a key path. */
export function schemaAt(root: z.ZodType, raw: unknown, path: readonly PathSegment[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  path.forEach((segment, i) => {
    if (schema === undefined) return;
    const here = pick(schema, valueAt(raw, path.slice(0, i)));
    if (typeof segment === "number") schema = here instanceof z.ZodArray ? (here.element as z.ZodType) : undefined;
    else schema = here instanceof z.ZodObject ? (here.shape as Record<string, z.ZodType>)[segment] : undefined;
  });
  return schema === undefined ? undefined : pick(schema, valueAt(raw, path));
}

function keysOf(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

const typeWords: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

/** What was found, in the words of the spec's types; values are repeated only when short and not secret. */
export function describeValue(value: unknown, echo: boolean): string {
  if (value === null) return "nothing (null; remove the key or give a value)";
  if (value instanceof Date) return "a date (quote it to make it a string)";
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "a mapping";
  if (typeof value === "boolean") return echo ? `a boolean (${value})` : "a boolean";
  if (typeof value === "number") {
    const kind = Number.isInteger(value) ? "integer" : "number";
    return echo ? `the ${kind} ${value}` : `${kind === "integer" ? "an" : "a"} ${kind}`;
  }
  if (typeof value === "string") return echo && value.length <= 40 ? `the string '${value}'` : "a string";
  return typeof value;
}

function expectedOf(issue: Issue): string | undefined {
  if (issue.code === "invalid_type") return typeWords[issue.expected] ?? issue.expected;
  if (issue.code === "invalid_format") return typeWords["number"];
  return undefined;
}

function unknownKeyFinding(path: PathSegment[], key: string, allowed: string[], raw: unknown): Finding {
  const owner = valueAt(raw, path);
  const isProvider = path.length === 2 && path[0] === "providers" && isRecord(owner);
  const suggestion = didYouMean(key, allowed);
  let message = `unknown key '${key}'; allowed here: ${allowed.join(", ")}`;
  if (isProvider) {
    const driver = String(driverOf(owner));
    const elsewhere = driverNames.filter((name) => keysOf(driverSchemas[name]).includes(key));
    message =
      elsewhere.length > 0
        ? `'${key}' is a key of the ${elsewhere.join(", ")} driver${elsewhere.length > 1 ? "s" : ""}; the ${driver} driver accepts only: ${allowed.join(", ")}`
        : `unknown key '${key}'; the ${driver} driver accepts only: ${allowed.join(", ")}`;
  }
  return error("schema.unknown-key", [...path, key], message, { at: "key", ...(suggestion ? { suggestion } : {}) });
}

function issueFindings(issue: Issue, root: z.ZodType, raw: unknown, echoValues: boolean): Finding[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== "symbol");
  const value = valueAt(raw, path);
  // DIB env-vars may hold credentials even in the main file: never repeat their values.
  const echo = echoValues && !path.includes("env-vars");
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = keysOf(schemaAt(root, raw, path));
      return issue.keys.map((key) => unknownKeyFinding(path, key, allowed, raw));
    }
    case "invalid_type": {
      const owner = valueAt(raw, path.slice(0, -1));
      const key = path[path.length - 1];
      if (value === undefined && typeof key === "string" && isRecord(owner) && !(key in owner)) {
        return [error("schema.required", path, `required key '${key}' is missing`, { at: "owner" })];
      }
      const target = schemaAt(root, raw, path);
      const expected = target instanceof z.ZodNumber && target.isInt ? typeWords["int"] : expectedOf(issue);
      return [error("schema.type", path, `expected ${expected}, got ${describeValue(value, echo)}`)];
    }
    case "invalid_union": {
      if (issue.discriminator !== undefined) {
        const suggestion = typeof value === "string" ? didYouMean(value, driverNames) : undefined;
        return [
          error("driver.unknown", path, `unknown driver ${describeValue(value, true)}; known drivers: ${driverNames.join(", ")}`, {
            ...(suggestion ? { suggestion } : {}),
          }),
        ];
      }
      const expected = [...new Set(issue.errors.map((branch) => branch[0] && expectedOf(branch[0])).filter(Boolean))];
      return [error("schema.type", path, `expected ${expected.join(" or ")}, got ${describeValue(value, echo)}`)];
    }
    case "invalid_format":
      return [error("schema.type", path, `expected a number, got ${describeValue(value, echo)}`)];
    case "too_small":
      return [error("schema.range", path, `must be at least ${String(issue.minimum)}, got ${describeValue(value, echo)}`)];
    case "too_big":
      return [error("schema.range", path, `must be at most ${String(issue.maximum)}, got ${describeValue(value, echo)}`)];
    case "custom": {
      const code = typeof issue.params?.["code"] === "string" ? issue.params["code"] : "schema.invalid";
      return [error(code, path, issue.message, { at: path.length > 0 && value === undefined ? "owner" : "value" })];
    }
    default:
      return [error("schema.invalid", path, issue.message)];
  }
}

/** Every zod issue as findings; `echo` false keeps string values out of messages (the secure file). */
export function issuesToFindings(issues: readonly Issue[], root: z.ZodType, raw: unknown, echo = true): Finding[] {
  return issues.flatMap((issue) => issueFindings(issue, root, raw, echo));
}
