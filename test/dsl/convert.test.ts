/**
 * `nodepool convert` over every fixture: YAML → load → convert → compile → load gives the same
 * configuration object (and, for the fixtures the spec rejects, the same error codes), and the
 * converted files type-check against the DSL.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfigText, parseYaml, type ConfigResult } from "../../schema/index.ts";
import { convertToDsl } from "../../dsl/convert.ts";
import { readConfigTs, typecheckConfig } from "../../dsl/compiler/index.ts";
import { fixtures, rejected } from "../schema/_fixtures.ts";
import { writeFiles } from "../helpers/files.ts";

function errorCodes(result: ConfigResult): string[] {
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code).sort();
}

function warningCodes(result: ConfigResult): string[] {
  return result.diagnostics.filter((d) => d.severity === "warning").map((d) => d.code).sort();
}

test("every fixture converts to a .config.ts that compiles back to the same configuration", async (t) => {
  const all = fixtures().filter((fixture) => fixture.name !== "clouds.yaml");
  const sources: Record<string, string> = {};
  const converted: Array<{ name: string; file: string; yaml: ConfigResult }> = [];
  for (const fixture of all) {
    const parsed = parseYaml(fixture.text, fixture.name);
    if (!parsed.ok) continue;
    const file = `${fixture.name.replaceAll("/", "__")}.config.ts`;
    sources[file] = convertToDsl(parsed.value, { source: fixture.name });
    converted.push({ name: fixture.name, file, yaml: loadConfigText(fixture.text, fixture.name) });
  }
  assert.ok(converted.length >= 70, `only ${converted.length} fixtures converted`);
  const dir = writeFiles(t, sources);
  for (const { name, file, yaml } of converted) {
    const { result } = await readConfigTs(join(dir, file), { typecheck: false });
    assert.equal(result.ok, yaml.ok, `${name}: the YAML is ${yaml.ok ? "valid" : "invalid"}, the converted config is not`);
    if (result.ok && yaml.ok) {
      assert.deepEqual(result.config, yaml.config, `${name}: effective configuration differs`);
      assert.deepEqual(warningCodes(result), warningCodes(yaml), `${name}: warnings differ`);
    } else {
      assert.deepEqual(errorCodes(result), errorCodes(yaml), `${name}: errors differ`);
    }
  }
  const valid = converted.filter(({ name, yaml }) => yaml.ok && !rejected.has(name)).map(({ file }) => join(dir, file));
  const typeErrors = typecheckConfig(valid).map((p) => `${p.file}:${p.line}:${p.column} TS${p.code} ${p.message}`);
  assert.deepEqual(typeErrors, [], "converted configs must type-check against nodepool/dsl");
});

test("converted configs use handles for labels, diskimages and cloud-images", () => {
  const parsed = parseYaml(
    [
      "labels:",
      "  - name: small",
      "diskimages:",
      "  - name: ubuntu-jammy",
      "providers:",
      "  - name: cloud1",
      "    cloud: c",
      "    diskimages:",
      "      - name: ubuntu-jammy",
      "    cloud-images:",
      "      - name: windows",
      "        image-name: Windows 2019",
      "    pools:",
      "      - name: main",
      "        labels:",
      "          - name: small",
      "            diskimage: ubuntu-jammy",
      "            min-ram: 2048",
      "          - name: small",
      "            cloud-image: windows",
      "            flavor-name: large",
      "",
    ].join("\n"),
    "nodepool.yaml",
  );
  assert.ok(parsed.ok);
  const source = convertToDsl(parsed.value, { source: "nodepool.yaml" });
  assert.match(source, /^import \{ defineConfig, cloudImage, diskimage, label \} from "nodepool\/dsl";$/m);
  assert.match(source, /^const small = label\(\{ name: "small" \}\);$/m);
  assert.match(source, /^const ubuntuJammyImage = diskimage\(\{ name: "ubuntu-jammy" \}\);$/m);
  assert.match(source, /^const cloud1WindowsCloudImage = cloudImage\(\{ name: "windows", "image-name": "Windows 2019" \}\);$/m);
  assert.match(source, /diskimages: \[\{ name: ubuntuJammyImage\.name \}\]/);
  assert.match(source, /\{ name: small\.name, diskimage: ubuntuJammyImage\.name, "min-ram": 2048 \}/);
  assert.match(source, /name: small\.name,\s+"cloud-image": cloud1WindowsCloudImage\.name,\s+"flavor-name": "large",?\s+\}/);
  assert.match(source, /labels: \[small\]/);
});

test("a static node's deprecated ssh-port becomes connection-port", () => {
  const parsed = parseYaml(
    "labels:\n  - name: small\nproviders:\n  - name: rack\n    driver: static\n    pools:\n      - name: m\n        nodes:\n          - name: h1\n            labels: small\n            ssh-port: 2222\n",
    "nodepool.yaml",
  );
  assert.ok(parsed.ok);
  const source = convertToDsl(parsed.value, { source: "nodepool.yaml" });
  assert.match(source, /\{ name: "h1", labels: small\.name, "connection-port": 2222 \}/);
  assert.doesNotMatch(source, /ssh-port/);
});
