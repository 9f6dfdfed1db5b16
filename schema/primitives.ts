/**
 * The value types of the configuration tables (spec/config.md §0.1), as zod schemas.
 * Each carries a JSON Schema description so editors show what the reference expects.
 */
import { z } from "zod";

/** A YAML string scalar; numbers, booleans and dates are not strings (quote them). */
export const str = () => z.string();

/** A YAML integer. A boolean here is the reference's int-subtype quirk, handled in bool-as-int.ts. */
export const int = () => z.int();

export const bool = () => z.boolean();

/** `rate`: an int, a float, or a string that parses as a float (the reference calls float()). */
export const floatLike = () =>
  z
    .union([z.number(), z.string().regex(/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/, "expected a number")])
    .transform((v) => (typeof v === "number" ? v : Number.parseFloat(v)));

/** A list; `key:` with nothing after it is null, which is not an empty list. */
export const list = <T extends z.ZodType>(item: T) => z.array(item);

/** Any YAML mapping, values unconstrained (`node-attributes`, `instance-properties`, `meta`). */
export const map = () => z.record(z.string(), z.unknown());

/** A mapping of strings to strings (`env-vars`): numeric-looking values must be quoted. */
export const stringMap = () => z.record(z.string(), z.string());

/** `connection-type` and its port default: 5986 for winrm, 22 for everything else (§3.4.2). */
export function defaultConnectionPort(connectionType: string | undefined): number {
  return connectionType === "winrm" ? 5986 : 22;
}
