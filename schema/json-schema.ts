/**
 * The JSON Schema of `nodepool.yaml`, generated from the zod schemas, for editors
 * (yaml-language-server: `# yaml-language-server: $schema=.../schema/nodepool.schema.json`).
 * It describes the file as written: input types, no effective defaults required.
 */
import { z } from "zod";
import { nodepoolConfigSchema } from "./config.ts";

export const JSON_SCHEMA_FILE = "schema/nodepool.schema.json";

export function buildJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(nodepoolConfigSchema, { target: "draft-7", io: "input", unrepresentable: "any" }),
    title: "Nodepool configuration (nodepool.yaml)",
  };
}

/** The file's exact text, so the committed copy can be compared byte for byte. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
