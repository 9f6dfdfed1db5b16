/** Rewrites dsl/config-types.generated.ts from the schemas (see config-types.ts). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_TYPES_FILE, generateConfigTypes } from "./config-types.ts";
import { packageRoot } from "./package-root.ts";

const target = join(packageRoot(), GENERATED_TYPES_FILE);
writeFileSync(target, generateConfigTypes());
process.stdout.write(`wrote ${target}\n`);
