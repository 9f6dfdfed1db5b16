import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfigText } from "../../schema/index.ts";
import { loadInvalid, loadValid, withCode } from "./_load.ts";

test("YAML 1.1 booleans as PyYAML reads them: yes/no/on/off/True are booleans, y and n are strings", () => {
  const { config } = loadValid(`providers:
  - name: cloud1
    cloud: c
    pools:
      - name: a
        auto-floating-ip: no
        host-key-checking: Off
        ignore-provider-quota: YES
        security-groups: [y, n]
`);
  const pool = config.providers[0]?.pools[0];
  assert.ok(pool && "auto-floating-ip" in pool);
  assert.equal(pool["auto-floating-ip"], false);
  assert.equal(pool["host-key-checking"], false);
  assert.equal(pool["ignore-provider-quota"], true);
  assert.deepEqual(pool["security-groups"], ["y", "n"]);
});

test("octal, base-60 and dates: 0755 and 1:20 are ints, an unquoted date fails a string check", () => {
  const { config } = loadValid("max-hold-age: 1:20\nbuild-log-retention: 0755\nimages-dir: '2019-04-17'\n");
  assert.equal(config["max-hold-age"], 80);
  assert.equal(config["build-log-retention"], 493);
  assert.equal(config["images-dir"], "2019-04-17");
  const [d] = loadInvalid("images-dir: 2019-04-17\n");
  assert.equal(d?.code, "schema.type");
  assert.match(d!.message, /a date \(quote it/);
});

test("'.' and '1e5' are strings (PyYAML), '09' is not an int", () => {
  const { config } = loadValid("elements-dir: .\nimages-dir: 1e5\nbuild-log-dir: 09\n");
  assert.equal(config["elements-dir"], ".");
  assert.equal(config["images-dir"], "1e5");
  assert.equal(config["build-log-dir"], "09");
});

test("anchors, aliases and << merge keys; errors inside merged content point at the anchor", () => {
  const { config } = loadValid(`labels:
  - &label
    name: small
    min-ready: 2
  - <<: *label
    name: large
diskimages:
  - name: ubuntu
providers:
  - name: cloud1
    cloud: c
    diskimages: [{ name: ubuntu }]
    pools:
      - &pool
        name: main
        labels:
          - { name: small, diskimage: ubuntu, min-ram: 1 }
          - { name: large, diskimage: ubuntu, min-ram: 1 }
      - <<: *pool
        name: second
`);
  assert.deepEqual(config.labels.map((l) => [l.name, l["min-ready"]]), [["small", 2], ["large", 2]]);
  assert.deepEqual(config.providers[0]?.pools.map((p) => p.name), ["main", "second"]);
  const [d] = loadInvalid("labels:\n  - &l\n    name: a\n    min-ready: x\n  - <<: *l\n    name: b\n").filter((x) => x.severity === "error" && x.path === "labels[1].min-ready");
  assert.equal(d?.line, 4);
});

test("duplicate keys are accepted (last wins) with a warning pointing at both", () => {
  const { config, warnings } = loadValid("max-hold-age: 1\nmax-hold-age: 2\n");
  assert.equal(config["max-hold-age"], 2);
  const [d] = withCode(warnings, "lint.duplicate-key");
  assert.equal(d?.line, 2);
  assert.match(d!.message, /also at line 1, column 1/);
});

test("more than one document, and custom tags, are errors", () => {
  assert.equal(loadInvalid("max-hold-age: 1\n---\nmax-hold-age: 2\n")[0]?.code, "yaml.syntax");
  assert.equal(loadInvalid("images-dir: !secret x\n")[0]?.code, "yaml.syntax");
  // An alias without an anchor before it is an error at the alias, not an exception from the loader.
  const [alias] = loadInvalid("labels: []\nimages-dir: *later\nx: &later /tmp\n");
  assert.deepEqual([alias?.code, alias?.line, alias?.column], ["yaml.syntax", 2, 13]);
  assert.match(alias!.message, /anchor that is not defined before it.*'images-dir'/);
});

test("an unsubstituted {placeholder} parses as a mapping and fails the string check", () => {
  const result = loadConfigText("zookeeper-servers:\n  - host: {zookeeper_host}\n", "t.yaml");
  assert.equal(result.ok, false);
  assert.match(result.diagnostics[0]!.message, /expected a string, got a mapping/);
});
