import { test } from "node:test";
import assert from "node:assert/strict";
import { loadInvalid, loadValid, withCode } from "./_load.ts";

const providers = (images: string[]): string => `providers:
  - name: cloud1
    cloud: c
    diskimages:
${images.map((name) => `      - name: ${name}`).join("\n")}
`;

test("a diskimage inherits from its parent: elements appended, env-vars merged, other keys overridden; abstract ones are dropped", () => {
  const { config, warnings } = loadValid(`diskimages:
  - name: base
    abstract: true
    elements: [vm, simple-init]
    env-vars: {DIB_A: a, DIB_B: b}
    rebuild-age: 3600
    python-path: /usr/bin/python3
  - name: ubuntu
    parent: base
    elements: [ubuntu-minimal]
    release: jammy
    env-vars: {DIB_B: override}
  - name: ubuntu-arm
    parent: ubuntu
    rebuild-age: 7200
${providers(["ubuntu", "ubuntu-arm"])}`);
  assert.deepEqual(config.diskimages.map((d) => d.name), ["ubuntu", "ubuntu-arm"]);
  const [ubuntu, arm] = config.diskimages;
  assert.deepEqual(ubuntu?.elements, ["vm", "simple-init", "ubuntu-minimal"]);
  assert.deepEqual(ubuntu?.["env-vars"], { DIB_A: "a", DIB_B: "override" });
  assert.equal(ubuntu?.["rebuild-age"], 3600);
  assert.equal(ubuntu?.["python-path"], "/usr/bin/python3");
  assert.equal(ubuntu?.parent, undefined);
  assert.deepEqual(arm?.elements, ["vm", "simple-init", "ubuntu-minimal"]);
  assert.equal(arm?.release, "jammy");
  assert.equal(arm?.["rebuild-age"], 7200);
  assert.ok(withCode(warnings, "lint.newer-key").length > 0, "newer keys are flagged for Nodepool 3.x users");
});

test("an undefined parent, a parent cycle and a provider uploading an abstract image are errors", () => {
  const diagnostics = loadInvalid(`diskimages:
  - name: a
    parent: b
  - name: b
    parent: a
  - name: c
    parent: nope
  - name: base
    abstract: true
${providers(["base"])}`);
  const errors = diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.path]);
  assert.deepEqual(errors, [
    ["ref.diskimage-parent-cycle", "diskimages[0].parent"],
    ["ref.diskimage-parent-cycle", "diskimages[1].parent"],
    ["ref.undefined-diskimage", "diskimages[2].parent"],
    ["ref.abstract-diskimage", "providers[0].diskimages[0].name"],
  ]);
});
