import { test } from "node:test";
import assert from "node:assert/strict";
import type { NodepoolConfigInput } from "../../schema/index.ts";
import { loadConfigText, parseYaml, validateConfigValue } from "../../schema/index.ts";
import { fixtures, rejected } from "./_fixtures.ts";

test("validateConfigValue accepts exactly what loadConfigText accepts, with the same effective config", () => {
  for (const fixture of fixtures()) {
    if (fixture.name === "config_validate/yaml_error.yaml") continue;
    const fromText = loadConfigText(fixture.text, fixture.name);
    const parsed = parseYaml(fixture.text, fixture.name);
    assert.ok(parsed.ok, fixture.name);
    const fromValue = validateConfigValue(parsed.value, { file: fixture.name });
    assert.equal(fromValue.ok, fromText.ok, fixture.name);
    assert.equal(fromValue.ok, !rejected.has(fixture.name), fixture.name);
    if (fromValue.ok && fromText.ok) assert.deepEqual(fromValue.config, fromText.config, fixture.name);
    // Without positions there is no file order to sort by: compare the sets.
    const problems = (result: typeof fromText): string[] => result.diagnostics.map((d) => `${d.code} ${d.path}`).sort();
    assert.deepEqual(problems(fromValue), problems(fromText), fixture.name);
  }
});

test("a typed NodepoolConfigInput literal validates, and locate points errors at the caller's lines", () => {
  const config: NodepoolConfigInput = {
    labels: [{ name: "small", "min-ready": 1 }],
    providers: [
      {
        name: "cloud1",
        cloud: "mycloud",
        "cloud-images": [{ name: "jammy" }],
        pools: [{ name: "main", labels: [{ name: "small", "cloud-image": "jammy", "min-ram": 2048 }] }],
      },
    ],
  };
  const ok = validateConfigValue(config, { file: "nodepool.config.ts" });
  assert.ok(ok.ok);
  assert.equal(ok.config.providers[0]?.driver, "openstack");

  const lines: Record<string, number> = { "providers[0].pools[0].labels[0].name": 12, labels: 3 };
  const broken = { ...config, labels: [{ name: "large" }] };
  const result = validateConfigValue(broken, {
    file: "nodepool.config.ts",
    locate: (path) => {
      const key = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("").slice(1);
      const line = lines[key];
      return line === undefined ? undefined : { line, column: 7 };
    },
  });
  assert.equal(result.ok, false);
  const error = result.diagnostics.find((d) => d.code === "ref.undefined-label");
  assert.deepEqual([error?.file, error?.line, error?.column, error?.suggestion], ["nodepool.config.ts", 12, 7, undefined]);
  const unused = result.diagnostics.find((d) => d.code === "lint.unused-label");
  assert.equal(unused?.line, 3, "falls back to the nearest located parent");
});

test("secure values can be given as a value too", () => {
  const result = validateConfigValue(
    { diskimages: [{ name: "img", formats: ["raw"] }] },
    { file: "nodepool.config.ts", secure: { file: "secure.conf", value: { diskimages: [{ name: "img", "env-vars": { PASS: "x" } }] } } },
  );
  assert.ok(result.ok);
  assert.deepEqual(result.config.diskimages[0]?.["env-vars"], { PASS: "x" });
  assert.deepEqual(result.secretPaths, ["diskimages[0].env-vars.PASS"]);
});
