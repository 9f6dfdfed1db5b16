import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDiagnostic } from "../../schema/index.ts";
import { loadInvalid, where, withCode } from "./_load.ts";

test("every error of the file is reported, in file order, with position, path and did-you-mean", () => {
  const diagnostics = loadInvalid(`labels:
  - name: ubuntu
    min_ready: 2
  - name: centos
    min-ready: "1"
providers:
  - name: aws1
    driver: aws
    region: us-east-1
    pools: []
webapp:
  listen-address: 1.2.3.4
`);
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(
    errors.map((d) => [d.code, `${d.line}:${d.column}`, d.path, d.suggestion]),
    [
      ["schema.unknown-key", "3:5", "labels[0].min_ready", "min-ready"],
      ["schema.type", "5:16", "labels[1].min-ready", undefined],
      ["schema.required", "7:5", "providers[0].region-name", undefined],
      ["schema.unknown-key", "9:5", "providers[0].region", "region-name"],
      ["schema.unknown-key", "12:3", "webapp.listen-address", "listen_address"],
    ],
  );
  assert.equal(
    formatDiagnostic(errors[0]!),
    "nodepool.yaml:3:5: error: labels[0] (ubuntu).min_ready: unknown key 'min_ready'; allowed here: name, min-ready, max-ready-age (did you mean 'min-ready'?)",
  );
  assert.match(errors[1]!.message, /expected an integer, got the string '1'/);
});

test("an unknown driver is an error naming the known drivers, with a suggestion", () => {
  const [d] = loadInvalid("providers:\n  - name: p\n    driver: openstak\n    cloud: c\n");
  assert.equal(d?.code, "driver.unknown");
  assert.equal(d?.path, "providers[0].driver");
  assert.equal(d?.suggestion, "openstack");
  assert.match(d!.message, /known drivers: openstack, fake, static, kubernetes, openshift, aws, test/);
});

test("a provider that is not a mapping, or has no name, is a normal error", () => {
  const diagnostics = loadInvalid("providers:\n  - just-a-string\n  - driver: static\n");
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.path]),
    [
      ["schema.type", "providers[0]"],
      ["schema.required", "providers[1].name"],
    ],
  );
});

test("diskimage xor cloud-image, image-id xor image-name, and the one-of-required pairs", () => {
  const diagnostics = loadInvalid(`labels:
  - name: a
diskimages:
  - name: img
providers:
  - name: cloud1
    cloud: c
    diskimages:
      - name: img
    cloud-images:
      - name: ci
        image-id: x
        image-name: y
    pools:
      - name: main
        labels:
          - name: a
            diskimage: img
            cloud-image: ci
            min-ram: 1
          - name: a
            key-name: k
`);
  const exclusive = withCode(diagnostics, "schema.exclusive");
  assert.deepEqual(where(exclusive), ["13:21 providers[0].cloud-images[0].image-name", "19:26 providers[0].pools[0].labels[0].cloud-image"]);
  const oneOf = withCode(diagnostics, "schema.one-of-required");
  assert.deepEqual(
    oneOf.map((d) => d.message),
    ["one of diskimage or cloud-image is required", "at least one of min-ram or flavor-name is required"],
  );
  assert.ok(oneOf.every((d) => d.path === "providers[0].pools[0].labels[1]" && d.line === 21));
});

test("broken references: labels, diskimages, cloud-images and static node labels (X1-X4)", () => {
  const diagnostics = loadInvalid(`labels:
  - name: ubuntu-jammy
diskimages:
  - name: ubuntu
providers:
  - name: cloud1
    cloud: c
    diskimages:
      - name: ubuntuu
    pools:
      - name: main
        labels:
          - name: ubuntu-jamy
            diskimage: debian
            min-ram: 1
          - name: ubuntu-jammy
            cloud-image: missing
            min-ram: 1
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
          - name: host1
            labels: [ubuntu-jammy, centos]
`);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.path, d.suggestion]),
    [
      ["ref.undefined-diskimage", "providers[0].diskimages[0].name", "ubuntu"],
      ["ref.undefined-label", "providers[0].pools[0].labels[0].name", "ubuntu-jammy"],
      ["ref.undefined-diskimage", "providers[0].pools[0].labels[0].diskimage", undefined],
      ["ref.undefined-cloud-image", "providers[0].pools[0].labels[1].cloud-image", undefined],
      ["ref.undefined-label", "providers[1].pools[0].nodes[0].labels[1]", undefined],
    ],
  );
  const cloudImage = withCode(diagnostics, "ref.undefined-cloud-image")[0]!;
  assert.match(cloudImage.message, /cloud-image 'missing' is not defined in the cloud-images of provider 'cloud1'/);
  assert.equal(cloudImage.line, 17);
});

test("wrong types: null lists, string-valued env-vars, strings that YAML reads as numbers, upload meta", () => {
  const diagnostics = loadInvalid(`labels:
diskimages:
  - name: img
    env-vars:
      DIB_CHECKSUM: 1
    release: 7.5
providers:
  - name: cloud1
    cloud: c
    rate: fast
    diskimages:
      - name: img
        meta:
          retries: 3
    pools:
      - name: main
        labels:
          - name: x
            cloud-image: ci
            flavor-name: 2
`);
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.path, d.message]),
    [
      ["schema.type", "labels", "expected a list, got nothing (null; remove the key or give a value)"],
      ["schema.type", "diskimages[0].env-vars.DIB_CHECKSUM", "expected a string, got an integer"],
      ["schema.type", "diskimages[0].release", "expected a string or an integer, got the number 7.5"],
      ["schema.type", "providers[0].rate", "expected a number, got the string 'fast'"],
      ["schema.type", "providers[0].diskimages[0].meta.retries", "expected a string (upload meta values must be strings; quote numbers and booleans)"],
      ["ref.undefined-label", "providers[0].pools[0].labels[0].name", "label 'x' is not defined in the top-level labels (none are defined)"],
      ["ref.undefined-cloud-image", "providers[0].pools[0].labels[0].cloud-image", "cloud-image 'ci' is not defined in the cloud-images of provider 'cloud1' (none are defined)"],
      ["schema.type", "providers[0].pools[0].labels[0].flavor-name", "expected a string, got the integer 2"],
    ],
  );
});

test("pre-3.0 keys are rejected as unknown keys", () => {
  const diagnostics = loadInvalid("gearman-servers:\n  - host: g\nlabels:\n  - name: a\n    image: x\n    providers: []\n");
  assert.deepEqual(where(diagnostics.filter((d) => d.severity === "error")), [
    "1:1 gearman-servers",
    "5:5 labels[0].image",
    "6:5 labels[0].providers",
  ]);
});

test("OpenShift pools reject max-servers; Kubernetes labels reject cpu", () => {
  const diagnostics = loadInvalid(`labels:
  - name: a
providers:
  - name: os
    driver: openshift
    context: c
    pools:
      - name: p
        max-servers: 2
        labels:
          - name: a
            type: project
  - name: k8s
    driver: kubernetes
    context: c
    pools:
      - name: p
        labels:
          - name: a
            type: pod
            image: i
            cpu: 2
`);
  assert.deepEqual(where(diagnostics.filter((d) => d.severity === "error")), [
    "9:9 providers[0].pools[0].max-servers",
    "22:13 providers[1].pools[0].labels[0].cpu",
  ]);
});

test("an empty file, a comment-only file and a top-level list are 'not a mapping' errors", () => {
  for (const text of ["", "# nothing here\n", "- name: a\n"]) {
    const [d] = loadInvalid(text);
    assert.equal(d?.code, "yaml.not-mapping", JSON.stringify(text));
  }
  assert.match(loadInvalid("")[0]!.message, /configuration is empty/);
});

test("YAML syntax errors carry line and column and no stack", () => {
  const [d] = loadInvalid("labels:\n  - name: a\n    min-ready: [1, 2\n");
  assert.equal(d?.code, "yaml.syntax");
  assert.ok(d?.line !== undefined && d.column !== undefined);
  assert.doesNotMatch(formatDiagnostic(d), /at .*\.js|Error:/);
});
