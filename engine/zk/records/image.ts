import { z } from "zod";
import type { BuildId, UploadId } from "../ids.ts";
import { epochSeconds, encodeJson, extraFields, nullableString, parseJsonObject, stateTime, username, validate, type Extra } from "./_codec.ts";

/**
 * ImageBuild (`/nodepool/images/<image>/builds/<seq10>`) and ImageUpload
 * (`.../providers/<provider>/images/<seq10>`) records (spec/zookeeper.md §2.5, §2.6).
 * Image name, build id, provider and upload id come from the path, never from the JSON.
 */

export const BUILD_STATES = ["building", "ready", "deleting", "failed"] as const;
export type BuildState = (typeof BUILD_STATES)[number];
export const UPLOAD_STATES = ["uploading", "ready", "deleting", "failed"] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

export interface ImageBuildRecord {
  readonly image: string;
  /** Undefined until the build is first stored. */
  readonly id?: BuildId;
  readonly state: BuildState;
  readonly stateTime: number;
  /** Host name of the builder (legacy owner identity); omitted from the JSON when null. */
  readonly builder: string | null;
  /** Persistent UUID of the builder; omitted from the JSON when null. */
  readonly builderId: string | null;
  /** Formats produced; a sorted comma string on the wire, omitted when empty. */
  readonly formats: readonly string[];
  readonly username: string | null;
  readonly extra: Extra;
}

export interface ImageUploadRecord {
  readonly image: string;
  readonly buildId: BuildId;
  readonly provider: string;
  /** Undefined until the upload is first stored. */
  readonly id?: UploadId;
  readonly state: UploadState;
  readonly stateTime: number;
  readonly externalId: string | null;
  readonly externalName: string | null;
  readonly format: string | null;
  readonly username: string | null;
  readonly extra: Extra;
}

const buildWire = z.object({
  state: z.enum(BUILD_STATES),
  state_time: stateTime,
  builder: nullableString,
  builder_id: nullableString,
  formats: z.string().nullable().default(""),
  username,
});
const BUILD_KNOWN = new Set(Object.keys(buildWire.shape));

const uploadWire = z.object({
  state: z.enum(UPLOAD_STATES),
  state_time: stateTime,
  external_id: nullableString,
  external_name: nullableString,
  format: nullableString,
  username,
});
const UPLOAD_KNOWN = new Set(Object.keys(uploadWire.shape));

export function decodeBuild(image: string, id: BuildId, data: Buffer, path: string): ImageBuildRecord | "empty" {
  const raw = parseJsonObject(data, path);
  if (raw === "empty") return "empty";
  const d = validate(buildWire, raw, path, "image build");
  return {
    image,
    id,
    state: d.state,
    stateTime: d.state_time,
    builder: d.builder,
    builderId: d.builder_id,
    formats: d.formats ? d.formats.split(",") : [],
    username: d.username,
    extra: extraFields(raw, BUILD_KNOWN),
  };
}

export function encodeBuild(build: ImageBuildRecord): Buffer {
  const fields: Record<string, unknown> = { state: build.state, state_time: build.stateTime };
  if (build.builder !== null) fields.builder = build.builder;
  if (build.builderId !== null) fields.builder_id = build.builderId;
  if (build.formats.length > 0) fields.formats = [...build.formats].sort().join(",");
  fields.username = build.username;
  return encodeJson(build.extra, fields);
}

export function decodeUpload(image: string, buildId: BuildId, provider: string, id: UploadId, data: Buffer, path: string): ImageUploadRecord | "empty" {
  const raw = parseJsonObject(data, path);
  if (raw === "empty") return "empty";
  const d = validate(uploadWire, raw, path, "image upload");
  return {
    image,
    buildId,
    provider,
    id,
    state: d.state,
    stateTime: d.state_time,
    externalId: d.external_id,
    externalName: d.external_name,
    format: d.format,
    username: d.username,
    extra: extraFields(raw, UPLOAD_KNOWN),
  };
}

/** Exactly the six keys of §2.6 (plus preserved fields of other writers). */
export function encodeUpload(upload: ImageUploadRecord): Buffer {
  return encodeJson(upload.extra, {
    state: upload.state,
    state_time: upload.stateTime,
    external_id: upload.externalId,
    external_name: upload.externalName,
    format: upload.format,
    username: upload.username,
  });
}

export function newBuild(
  image: string,
  fields: Partial<Omit<ImageBuildRecord, "image" | "id">> = {},
  now: number = epochSeconds(),
): ImageBuildRecord {
  return { image, state: "building", stateTime: now, builder: null, builderId: null, formats: [], username: null, extra: {}, ...fields };
}

/**
 * A fresh upload record. Failure and janitor records are written fresh too, carrying only
 * the state (every other field null, `username` included).
 */
export function newUpload(
  image: string,
  buildId: BuildId,
  provider: string,
  fields: Partial<Omit<ImageUploadRecord, "image" | "buildId" | "provider" | "id">> = {},
  now: number = epochSeconds(),
): ImageUploadRecord {
  return {
    image,
    buildId,
    provider,
    state: "uploading",
    stateTime: now,
    externalId: null,
    externalName: null,
    format: null,
    username: null,
    extra: {},
    ...fields,
  };
}

export function withBuildState(build: ImageBuildRecord, state: BuildState, now: number = epochSeconds()): ImageBuildRecord {
  return { ...build, state, stateTime: now };
}

export function withUploadState(upload: ImageUploadRecord, state: UploadState, now: number = epochSeconds()): ImageUploadRecord {
  return { ...upload, state, stateTime: now };
}
