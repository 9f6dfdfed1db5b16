/**
 * Malformed node requests (design.md: "a bad request record is failed with a reason, never
 * crashes a loop"): a request znode whose data is not valid JSON, not an object, or has a field
 * of the wrong type is failed by a launcher, so its requestor hears back instead of waiting
 * forever. The failed record keeps every field that reads correctly and every unknown field as
 * it was (spec/zookeeper.md §0.3); a field of the wrong type gets its default, so every reader
 * can parse the result (§0.2: lists are arrays, state valid, state_time numeric). Unknown fields
 * alone (a newer Zuul) never make a request malformed.
 */
import { MalformedRecordError } from "../zk/errors.ts";
import type { LauncherId, RequestId } from "../zk/ids.ts";
import { decodeRequest, encodeRequest, newRequest, withRequestState, type NodeRequestRecord } from "../zk/records/request.ts";

export interface FailedMalformed {
  record: NodeRequestRecord;
  /** Why the data was not a request record. */
  reason: string;
}

function decodes(id: RequestId, fields: Record<string, unknown>, path: string): NodeRequestRecord | null {
  try {
    const record = decodeRequest(id, Buffer.from(JSON.stringify(fields), "utf8"), path);
    return record === "empty" ? null : record;
  } catch (error) {
    if (error instanceof MalformedRecordError) return null;
    throw error;
  }
}

function parsedObject(data: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(data.toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Why `data` is not a request record, or null when it is one. */
export function malformedReason(id: RequestId, data: Buffer, path: string): string | null {
  try {
    return decodeRequest(id, data, path) === "empty" ? `${path}: request znode without data` : null;
  } catch (error) {
    if (!(error instanceof MalformedRecordError)) throw error;
    return error.message;
  }
}

/**
 * The record that fails a malformed request, declined by `declinedBy`; null when `data` is a
 * valid request record after all (repaired since it was seen).
 */
export function failMalformedRequest(id: RequestId, data: Buffer, path: string, declinedBy: readonly LauncherId[], now?: number): FailedMalformed | null {
  const reason = malformedReason(id, data, path);
  if (reason === null) return null;
  // A valid record to measure each field against, one field at a time.
  const base = JSON.parse(encodeRequest(newRequest({ nodeTypes: [] }, now)).toString("utf8")) as Record<string, unknown>;
  const raw = parsedObject(data);
  const readable: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) if (decodes(id, { ...base, [key]: raw[key] }, path)) readable[key] = raw[key];
  const salvaged = decodes(id, { ...base, ...readable }, path) ?? { ...newRequest({ nodeTypes: [] }, now), id };
  const declined = [...salvaged.declinedBy];
  for (const launcher of declinedBy) if (!declined.includes(launcher)) declined.push(launcher);
  return { record: { ...withRequestState(salvaged, "failed", now), declinedBy: declined }, reason };
}
