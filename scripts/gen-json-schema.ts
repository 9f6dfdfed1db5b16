// Regenerates schema/nodepool.schema.json from the zod schemas: node --import tsx scripts/gen-json-schema.ts
import { writeFileSync } from "node:fs";
import { JSON_SCHEMA_FILE, renderJsonSchema } from "../schema/json-schema.ts";

writeFileSync(JSON_SCHEMA_FILE, renderJsonSchema());
process.stdout.write(`wrote ${JSON_SCHEMA_FILE}\n`);
