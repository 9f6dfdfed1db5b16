import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic, loadConfigText } from "../../schema/index.ts";
import { fixtures, rejected } from "./_fixtures.ts";

const all = fixtures();

test("the fixtures folder is found and holds the spec's files", () => {
  assert.ok(all.length >= 74, `found ${all.length} fixtures`);
});

for (const fixture of all) {
  const expected = rejected.has(fixture.name) ? "rejected" : "accepted";
  test(`${fixture.name} is ${expected} (spec/config.md §8.2)`, () => {
    const result = loadConfigText(fixture.text, fixture.name);
    const printed = result.diagnostics.map(formatDiagnostic).join("\n");
    assert.equal(result.ok ? "accepted" : "rejected", expected, printed);
    for (const diagnostic of result.diagnostics) {
      assert.equal(diagnostic.file, fixture.name);
      assert.ok(diagnostic.line !== undefined && diagnostic.column !== undefined, `no position: ${formatDiagnostic(diagnostic)}`);
    }
    if (!result.ok) assert.ok(result.diagnostics.some((d) => d.severity === "error"));
  });
}

test("aws.yaml is accepted once its five nulls are filled with real values", () => {
  const aws = all.find((f) => f.name === "aws.yaml");
  assert.ok(aws);
  const filled = aws.text
    .replace(/host: null/, "host: zk1.example.org")
    .replace(/port: null/, "port: 2181")
    .replace(/chroot: null/, "chroot: /nodepool")
    .replace(/subnet-id: null/, "subnet-id: subnet-1")
    .replace(/security-group-id: null/, "security-group-id: sg-1");
  const result = loadConfigText(filled, "aws.yaml");
  assert.ok(result.ok, result.diagnostics.map(formatDiagnostic).join("\n"));
  const provider = result.config.providers[0];
  assert.equal(provider?.driver, "aws");
});

test("fake.yaml and integration_noocc.yaml are rejected for the missing cloud, at the provider", () => {
  for (const name of ["fake.yaml", "integration_noocc.yaml"]) {
    const fixture = all.find((f) => f.name === name);
    assert.ok(fixture);
    const result = loadConfigText(fixture.text, name);
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(
      errors.map((d) => [d.code, d.path]),
      [["schema.required", "providers[0].cloud"]],
    );
  }
});

test("warnings the spec expects on accepted fixtures", () => {
  const codes = (name: string): string[] => {
    const fixture = all.find((f) => f.name === name);
    assert.ok(fixture);
    return loadConfigText(fixture.text, name).diagnostics.map((d) => d.code);
  };
  assert.deepEqual(codes("launcher_reg1.yaml"), ["lint.unused-label"]);
  assert.deepEqual(codes("leaked_node_nodepool_id.yaml"), ["lint.deprecated"]);
  assert.deepEqual(codes("node_diskimage_only.yaml"), ["lint.unused-diskimage"]);
  assert.deepEqual(codes("config_validate/good.yaml"), []);
});
