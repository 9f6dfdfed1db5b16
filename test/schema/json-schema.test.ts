import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { JSON_SCHEMA_FILE, buildJsonSchema, renderJsonSchema } from "../../schema/json-schema.ts";

const root = new URL("../../", import.meta.url).pathname;

test("schema/nodepool.schema.json is what the zod schemas generate (run scripts/gen-json-schema.ts when this fails)", () => {
  assert.equal(readFileSync(`${root}${JSON_SCHEMA_FILE}`, "utf8"), renderJsonSchema());
});

test("the JSON Schema closes every mapping and describes keys for editors", () => {
  const schema = buildJsonSchema() as { additionalProperties?: boolean; properties: Record<string, { description?: string }> };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties).slice(0, 3), ["elements-dir", "images-dir", "build-log-dir"]);
  assert.match(schema.properties["labels"]?.description ?? "", /Node types/);
});
