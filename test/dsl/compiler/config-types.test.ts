/** dsl/config-types.generated.ts is the schemas' input type, regenerated: it must not be stale. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_TYPES_FILE, generateConfigTypes } from "../../../dsl/compiler/config-types.ts";
import { packageRoot } from "../../../dsl/compiler/package-root.ts";

test("the DSL's generated config type matches the schemas (regenerate with dsl/compiler/write-config-types.ts)", () => {
  assert.equal(
    readFileSync(join(packageRoot(), GENERATED_TYPES_FILE), "utf8"),
    generateConfigTypes(),
    "stale: run `node --import tsx dsl/compiler/write-config-types.ts` and commit dsl/config-types.generated.ts",
  );
});
