import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic, loadConfigText } from "../../schema/index.ts";
import { fixtures } from "./_fixtures.ts";

const load = (name: string) => {
  const fixture = fixtures().find((f) => f.name === `config_validate/${name}`);
  assert.ok(fixture, name);
  return loadConfigText(fixture.text, name);
};

test("good.yaml: valid, every driver, no warnings (spec/config.md §4.6)", () => {
  const result = load("good.yaml");
  assert.ok(result.ok, result.diagnostics.map(formatDiagnostic).join("\n"));
  assert.deepEqual(
    result.config.providers.map((p) => p.driver),
    ["openstack", "openstack", "static", "kubernetes", "openshift", "aws"],
  );
  assert.deepEqual(result.diagnostics, []);
});

test("yaml_error.yaml: one yaml.syntax error at 57:2 saying a list item cannot appear there", () => {
  const result = load("yaml_error.yaml");
  assert.equal(result.ok, false);
  assert.equal(result.diagnostics.length, 1);
  const [d] = result.diagnostics;
  assert.equal(d?.code, "yaml.syntax");
  assert.equal(formatDiagnostic(d!).split(": error")[0], "yaml_error.yaml:57:2");
  assert.match(d!.message, /list item cannot appear here.*indentation.*the line of key 'name'/);
});

test("schema_error.yaml: unknown top-level key nothandled at 4:1, listing the allowed keys", () => {
  const result = load("schema_error.yaml");
  assert.equal(result.ok, false);
  assert.equal(result.diagnostics.length, 1);
  const d = result.diagnostics[0]!;
  assert.deepEqual([d.code, d.line, d.column, d.path], ["schema.unknown-key", 4, 1, "nothandled"]);
  assert.match(d.message, /elements-dir, images-dir, build-log-dir/);
});

test("static_error.yaml: cloud on a static provider at 4:5, path providers[0] (static-rack).cloud", () => {
  const result = load("static_error.yaml");
  assert.equal(result.ok, false);
  assert.equal(result.diagnostics.length, 1);
  const d = result.diagnostics[0]!;
  assert.deepEqual([d.code, d.line, d.column, d.path], ["schema.unknown-key", 4, 5, "providers[0].cloud"]);
  assert.equal(
    formatDiagnostic(d),
    "static_error.yaml:4:5: error: providers[0] (static-rack).cloud: 'cloud' is a key of the openstack, fake drivers; the static driver accepts only: name, driver, max-concurrency, pools",
  );
});
