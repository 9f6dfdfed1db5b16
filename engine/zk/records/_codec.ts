import { z } from "zod";
import { MalformedRecordError } from "../errors.ts";

/** Shared JSON (de)serialisation rules of spec/zookeeper.md §0.2–0.3. Internal to records/. */

/** Fields of other writers that we do not model; written back unchanged (§0.3). */
export type Extra = Readonly<Record<string, unknown>>;

/** The current time as Nodepool writes it: float seconds since the epoch, never milliseconds. */
export function epochSeconds(ms: number = Date.now()): number {
  return ms / 1000;
}

/** Parses record bytes: "empty" for zero-length data, otherwise a JSON object, else malformed. */
export function parseJsonObject(data: Buffer, path: string): Record<string, unknown> | "empty" {
  if (data.length === 0) return "empty";
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch (error) {
    throw new MalformedRecordError(`${path}: not valid JSON (${(error as Error).message})`, path);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new MalformedRecordError(`${path}: record is not a JSON object`, path);
  }
  return value as Record<string, unknown>;
}

/** Validates the modelled fields with `schema`; a mismatch is a malformed record naming the key. */
export function validate<S extends z.ZodType>(schema: S, raw: Record<string, unknown>, path: string, kind: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path.join(".") ?? "";
  throw new MalformedRecordError(`${path}: invalid ${kind} record${key ? ` at "${key}"` : ""}: ${issue?.message ?? "invalid"}`, path);
}

/** The keys of `raw` that are not modelled, minus those no writer may emit. */
export function extraFields(raw: Record<string, unknown>, known: ReadonlySet<string>, forbidden?: (key: string) => boolean): Extra {
  const extra: Record<string, unknown> = {};
  // Object.keys, not entries: a pair array per key is most of the cost when 10,000 records are read.
  for (const key of Object.keys(raw)) {
    if (!known.has(key) && !forbidden?.(key)) extra[key] = raw[key];
  }
  return extra;
}

/** Encodes a record: preserved unknown fields first, the modelled ones over them. */
export function encodeJson(extra: Extra, fields: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ ...extra, ...fields }), "utf8");
}

export const stateTime = z.number();
export const nullableString = z.string().nullable().default(null);
/** Lists must be arrays on the wire; a missing or null list reads as empty. */
export const stringList = z
  .array(z.string())
  .nullable()
  .default([])
  .transform((list) => list ?? []);
/** `username` defaults to "zuul" only when the key is absent; an explicit null stays null. */
export const username = z.string().nullable().default("zuul");
