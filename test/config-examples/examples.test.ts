/**
 * config-examples/: each `.config.ts` type-checks, compiles to exactly the `.yaml` checked in beside
 * it (byte for byte), and that YAML is a valid configuration.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { compileToYaml, typecheckConfig } from "../../dsl/compiler/index.ts";
import { formatDiagnostic, loadConfigFile } from "../../schema/index.ts";

const dir = new URL("../../config-examples/", import.meta.url).pathname;
const examples = readdirSync(dir).filter((name) => name.endsWith(".config.ts")).sort();

test("the examples include minimal, multi-region OpenStack, static nodes and the fake-driver quickstart", () => {
  for (const name of ["minimal", "multi-region-openstack", "static-nodes", "quickstart"]) {
    assert.ok(examples.includes(`${name}.config.ts`), `config-examples/${name}.config.ts is missing`);
  }
});

test("every example type-checks", () => {
  const problems = typecheckConfig(examples.map((name) => join(dir, name)));
  assert.deepEqual(problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`), []);
});

for (const name of examples) {
  const yamlPath = join(dir, name.replace(/\.config\.ts$/, ".yaml"));
  test(`${name} compiles to the checked-in ${name.replace(/\.config\.ts$/, ".yaml")}, byte for byte`, async () => {
    const compiled = await compileToYaml(join(dir, name), { typecheck: false, outputPath: yamlPath });
    assert.ok(compiled.yaml !== undefined, compiled.diagnostics.map(formatDiagnostic).join("\n"));
    assert.equal(compiled.yaml, readFileSync(yamlPath, "utf8"));
    const again = await compileToYaml(join(dir, name), { typecheck: false, outputPath: yamlPath });
    assert.equal(again.yaml, compiled.yaml);
    const loaded = await loadConfigFile(yamlPath);
    assert.ok(loaded.ok, loaded.diagnostics.map(formatDiagnostic).join("\n"));
    assert.deepEqual(loaded.diagnostics, [], "the examples compile without warnings");
  });
}

test("the quickstart runs on the fake driver with a diskimage and two labels kept ready", async () => {
  const loaded = await loadConfigFile(join(dir, "quickstart.yaml"));
  assert.ok(loaded.ok);
  assert.deepEqual(loaded.config.providers.map((p) => p.driver), ["fake"]);
  assert.equal(loaded.config.diskimages.length, 1);
  assert.deepEqual(loaded.config.labels.map((l) => l["min-ready"] > 0), [true, true]);
});
