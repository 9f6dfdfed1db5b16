import { test } from "node:test";
import assert from "node:assert/strict";
import { MASK, formatDiagnostic, loadConfigText, maskSecrets } from "../../schema/index.ts";
import { base, loadInvalid, loadValid } from "./_load.ts";

const main = `zookeeper-servers:
  - host: zk-public
${base}`.replace("  - name: ubuntu\n", "  - name: ubuntu\n    env-vars:\n      TMPDIR: /tmp\n      DIB_RELEASE: jammy\n");

test("the secure file merges env-vars (its values win) and replaces zookeeper-servers", () => {
  const { config } = loadValid(main, {
    secureText: `zookeeper-servers:
  - host: zk-secret
    port: 2281
    chroot: /nodepool
diskimages:
  - name: ubuntu
    env-vars:
      REGISTRY_PASSWORD: s3cret
      DIB_RELEASE: noble
`,
  });
  assert.deepEqual(config["zookeeper-servers"], [{ host: "zk-secret", port: 2281, chroot: "/nodepool" }]);
  assert.deepEqual(config.diskimages[0]?.["env-vars"], { TMPDIR: "/tmp", DIB_RELEASE: "noble", REGISTRY_PASSWORD: "s3cret" });
});

test("an empty secure file, or one with an empty server list, changes nothing", () => {
  for (const secureText of ["", "# only comments\n", "zookeeper-servers: []\n"]) {
    const { config } = loadValid(main, { secureText });
    assert.deepEqual(config["zookeeper-servers"], [{ host: "zk-public", port: 2181 }]);
  }
});

test("secure values and their paths are reported for masking, and never echoed in messages", () => {
  const result = loadConfigText(main, "nodepool.yaml", {
    secureText: "zookeeper-servers:\n  - host: zk-secret\n    chroot: /np\ndiskimages:\n  - name: ubuntu\n    env-vars:\n      DIB_MIRROR: http://user:pw@mirror\n",
    secureFile: "secure.conf",
  });
  assert.ok(result.ok);
  assert.deepEqual(result.secretPaths, [
    "diskimages[0].env-vars.DIB_MIRROR",
    "zookeeper-servers[0].host",
    "zookeeper-servers[0].chroot",
  ]);
  const masked = maskSecrets(result.config, result.secretPaths);
  assert.equal(masked.diskimages[0]?.["env-vars"]["DIB_MIRROR"], MASK);
  assert.equal(masked.diskimages[0]?.["env-vars"]["TMPDIR"], "/tmp");
  assert.equal(masked["zookeeper-servers"][0]?.host, MASK);
  assert.equal(result.config.diskimages[0]?.["env-vars"]["DIB_MIRROR"], "http://user:pw@mirror");

  const bad = loadInvalid(main, { secureText: "diskimages:\n  - name: ubuntu\n    env-vars:\n      TOKEN: [hunter2]\n" });
  const [d] = bad.filter((x) => x.severity === "error");
  assert.equal(d?.file, "secure.conf");
  assert.equal(d?.line, 4);
  assert.doesNotMatch(formatDiagnostic(d!), /hunter2/);
});

/** Lines a person may break while editing a credential: each is a YAML syntax error. */
const brokenCredentialLines = [
  "      REGISTRY_PASSWORD: s3cr3t-Pa55: x",
  '      REGISTRY_PASSWORD: "s3cr3t-Pa55',
  "      REGISTRY_PASSWORD: 's3cr3t-Pa55",
  "      REGISTRY_PASSWORD: [s3cr3t-Pa55",
  "      REGISTRY_PASSWORD: {s3cr3t-Pa55",
  "      REGISTRY_PASSWORD: s3cr3t-Pa55\n     - x",
  "     REGISTRY_PASSWORD: s3cr3t-Pa55\n      OTHER: s3cr3t-Pa55",
  "      REGISTRY_PASSWORD: *s3cr3t-Pa55",
  "      REGISTRY_PASSWORD: s3cr3t-Pa55\n  - s3cr3t-Pa55: [",
];

test("a YAML syntax error never quotes the value on the broken line, in the secure file or the main file", () => {
  const secureHead = "diskimages:\n  - name: ubuntu\n    env-vars:\n";
  for (const line of brokenCredentialLines) {
    const inSecure = loadInvalid(main, { secureText: `${secureHead}${line}\n` });
    const inMain = loadInvalid(main.replace("      TMPDIR: /tmp", line));
    for (const d of [...inSecure, ...inMain]) {
      assert.equal(d.code, "yaml.syntax", line);
      assert.doesNotMatch(formatDiagnostic(d), /s3cr3t/, line);
    }
    assert.ok(inSecure.length > 0 && inMain.length > 0, line);
  }
  const [d] = loadInvalid(main, { secureText: `${secureHead}${brokenCredentialLines[0]}\n` });
  assert.match(formatDiagnostic(d!), /secure\.conf:4:\d+: error: .*the line of key 'REGISTRY_PASSWORD'/);
});

test("env-vars whose name says credential are secret even in the main file", () => {
  const result = loadConfigText(main.replace("TMPDIR: /tmp", "API_TOKEN: abc"), "nodepool.yaml");
  assert.ok(result.ok);
  assert.deepEqual(result.secretPaths, ["diskimages[0].env-vars.API_TOKEN"]);
});

test("secure-file errors: unknown diskimage (X5), missing env-vars; unknown keys are warnings", () => {
  const diagnostics = loadInvalid(main, {
    secureText: "labels: []\ndiskimages:\n  - name: ubuntoo\n    env-vars: {A: b}\n  - name: ubuntu\n    pause: true\n",
  });
  assert.deepEqual(
    diagnostics.map((d) => [d.severity, d.code, d.file, d.line, d.path, d.suggestion]),
    [
      ["warning", "lint.secure-unknown-key", "secure.conf", 1, "labels", undefined],
      ["error", "secure.unknown-diskimage", "secure.conf", 3, "diskimages[0].name", "ubuntu"],
      ["error", "schema.required", "secure.conf", 5, "diskimages[1].env-vars", undefined],
      ["warning", "lint.secure-unknown-key", "secure.conf", 6, "diskimages[1].pause", undefined],
    ],
  );
});

test("a main file without zookeeper-servers is valid (the secure file or the daemon supplies them)", () => {
  const { config, warnings } = loadValid(base);
  assert.deepEqual(config["zookeeper-servers"], []);
  assert.deepEqual(warnings, []);
});

test("a wrongly typed env-var value is not repeated in the message, even in the main file", () => {
  const [d] = loadInvalid("diskimages:\n  - name: a\n    formats: [raw]\n    env-vars:\n      PASSWORD: 123456\n");
  assert.equal(d?.message, "expected a string, got an integer");
  assert.doesNotMatch(formatDiagnostic(d!), /123456/);
});
