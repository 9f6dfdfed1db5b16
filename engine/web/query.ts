/**
 * The web API's query parameters (behaviour.md §6.4): `fields` on every listing, `node_id` on
 * `/node-list`. Anything else, a parameter given twice, or an empty one is a bad query (400),
 * with a message saying which and what the endpoint takes.
 */
import { z } from "zod";
import { NodepoolError } from "../errors.ts";

export class BadQueryError extends NodepoolError {
  readonly code = "web.bad-query";
  override readonly exitCode = 1;
}

export interface ListingQuery {
  /** Text only: the column keys to show. */
  readonly fields?: readonly string[];
  readonly nodeId?: string;
}

const value = z.string().min(1);
const withFields = z.strictObject({ fields: value.optional() });
const withNodeId = z.strictObject({ fields: value.optional(), node_id: value.optional() });

export function parseListingQuery(endpoint: string, raw: unknown): ListingQuery {
  const schema = endpoint === "node-list" ? withNodeId : withFields;
  const result = schema.safeParse(raw ?? {});
  if (!result.success) throw new BadQueryError(describeIssue(endpoint, Object.keys(schema.shape), result.error.issues[0]));
  const data: { fields?: string | undefined; node_id?: string | undefined } = result.data;
  const { fields, node_id: nodeId } = data;
  return {
    ...(fields === undefined ? {} : { fields: fields.split(",").map((f) => f.trim()).filter((f) => f !== "") }),
    ...(nodeId === undefined ? {} : { nodeId }),
  };
}

function describeIssue(endpoint: string, accepted: readonly string[], issue: z.core.$ZodIssue | undefined): string {
  const takes = `/${endpoint} takes ${accepted.join(" and ")}`;
  if (issue === undefined) return `bad query; ${takes}`;
  if (issue.code === "unrecognized_keys") return `unknown query parameter ${issue.keys.join(", ")}; ${takes}`;
  const name = String(issue.path[0] ?? "");
  if (issue.code === "too_small") return `query parameter ${name} is empty; give it a value or leave it out`;
  return `query parameter ${name} is given more than once; give it once${ONCE_HINTS[name] ?? ""}`;
}

/** How to say what a repeated parameter was meant to say. */
const ONCE_HINTS: Readonly<Record<string, string>> = {
  fields: " (fields takes a comma-separated list: fields=a,b)",
  node_id: " (node_id names one node; leave it out to list every node)",
};
