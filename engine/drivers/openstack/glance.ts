/**
 * Glance (image v2): create an image record, stream its file from disk (never read into
 * memory), read, list (this project's own images) and delete by id.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { z } from "zod";
import type { Session } from "./session.ts";

/** Glance's own fields; everything else on an image is a property. */
const CORE_FIELDS = new Set([
  "id", "name", "status", "visibility", "owner", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size",
  "disk_format", "container_format", "created_at", "updated_at", "tags", "self", "file", "schema", "min_disk", "min_ram",
  "protected", "os_hidden", "direct_url", "locations", "stores",
]);

const imageSchema = z.looseObject({ id: z.string(), name: z.string().nullable(), status: z.string(), owner: z.string().nullish() });

export interface GlanceImage {
  id: string;
  name: string;
  status: string;
  owner: string | null;
  properties: Record<string, string>;
}

function toImage(raw: z.output<typeof imageSchema>): GlanceImage {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (!CORE_FIELDS.has(key) && typeof value === "string") properties[key] = value;
  return { id: raw.id, name: raw.name ?? "", status: raw.status, owner: raw.owner ?? null, properties };
}

export class Glance {
  constructor(private readonly session: Session) {}

  async createImage(name: string, diskFormat: string, properties: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<GlanceImage> {
    const raw = await this.session.call("CreateImage", "image", "POST", "/images", {
      body: { ...properties, name, disk_format: diskFormat, container_format: "bare", visibility: "private" },
      schema: imageSchema,
      signal,
    });
    return toImage(raw);
  }

  /** Streams `file` as the image's data. */
  async uploadData(id: string, file: string, signal?: AbortSignal): Promise<void> {
    const { size } = await stat(file);
    const body = createReadStream(file, { highWaterMark: 1 << 20 });
    try {
      await this.session.call("UploadImage", "image", "PUT", `/images/${encodeURIComponent(id)}/file`, {
        stream: { body, length: size, contentType: "application/octet-stream" },
        signal,
        untimed: true,
      });
    } finally {
      body.destroy();
    }
  }

  async getImage(id: string, signal?: AbortSignal): Promise<GlanceImage> {
    return toImage(await this.session.call("GetImage", "image", "GET", `/images/${encodeURIComponent(id)}`, { schema: imageSchema, signal }));
  }

  /** Images whose name is `name` (Glance names are not unique). */
  async findByName(name: string, signal?: AbortSignal): Promise<GlanceImage[]> {
    return (await this.session.list("ListImages", "image", "/images", "images", imageSchema, { query: { name }, signal })).map(toImage);
  }

  /** The images `owner` (a project id) owns. */
  async listOwned(owner: string | null, signal?: AbortSignal): Promise<GlanceImage[]> {
    const query = owner ? { owner, limit: 1000 } : { limit: 1000 };
    return (await this.session.list("ListImages", "image", "/images", "images", imageSchema, { query, signal })).map(toImage);
  }

  deleteImage(id: string, signal?: AbortSignal): Promise<void> {
    return this.session.call("DeleteImage", "image", "DELETE", `/images/${encodeURIComponent(id)}`, { signal });
  }
}
