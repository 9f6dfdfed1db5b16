import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfigText } from "../../../schema/index.ts";
import { dibInvocation } from "../../../engine/builder/dib-command.ts";
import { requiredFormats } from "../../../engine/builder/formats.ts";

const yaml = `
elements-dir: /etc/nodepool/elements
images-dir: /opt/nodepool/images
providers:
  - name: cloud-qcow2
    driver: fake
    cloud: fake
    diskimages: [{name: ubuntu}]
  - name: cloud-vhd
    driver: fake
    cloud: fake-vhd
    diskimages: [{name: ubuntu}]
diskimages:
  - name: ubuntu
    elements: [ubuntu-minimal, vm, simple-init]
    release: 18
    formats: [raw]
    env-vars:
      TMPDIR: /opt/dib_tmp
      DIB_RELEASE: overridden
`;

function config() {
  const result = loadConfigText(yaml, "nodepool.yaml");
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  return result.config;
}

test("the DIB command line is the reference's: -x -t <sorted formats> --checksum --no-tmpfs [qemu options] -o <base> <elements>", () => {
  const cfg = config();
  const image = cfg.diskimages[0]!;
  const formats = requiredFormats(image, new Map([["cloud-vhd", "vhd"]]), cfg);
  assert.deepEqual(formats, ["qcow2", "raw", "vhd"]);
  const dib = dibInvocation({
    image,
    formats,
    outputBase: "/opt/nodepool/images/ubuntu-0000000001",
    elementsDir: cfg["elements-dir"],
    dibCommand: "disk-image-create",
    baseEnv: { PATH: "/usr/bin", HOME: "/home/nodepool" },
  });
  assert.equal(dib.file, "disk-image-create");
  assert.deepEqual(dib.args, [
    "-x", "-t", "qcow2,raw,vhd", "--checksum", "--no-tmpfs", "--qemu-img-options", "compat=0.10",
    "-o", "/opt/nodepool/images/ubuntu-0000000001", "ubuntu-minimal", "vm", "simple-init",
  ]);
  assert.deepEqual(dib.env, {
    PATH: "/usr/bin",
    HOME: "/home/nodepool",
    DIB_RELEASE: "overridden",
    DIB_IMAGE_NAME: "ubuntu",
    DIB_IMAGE_FILENAME: "/opt/nodepool/images/ubuntu-0000000001",
    ELEMENTS_PATH: "/etc/nodepool/elements",
    TMPDIR: "/opt/dib_tmp",
  });
});

test("without qcow2 there are no qemu-img options; without elements-dir no ELEMENTS_PATH; the release is a string", () => {
  const result = loadConfigText("diskimages: [{name: plain, release: 21, formats: [tar]}]\n", "n.yaml");
  assert.ok(result.ok);
  const image = result.config.diskimages[0]!;
  const dib = dibInvocation({ image, formats: ["tar"], outputBase: "/i/plain-0000000002", dibCommand: "/usr/local/bin/nodepool-image-create --extra", baseEnv: {} });
  assert.equal(dib.file, "/usr/local/bin/nodepool-image-create");
  assert.deepEqual(dib.args, ["--extra", "-x", "-t", "tar", "--checksum", "--no-tmpfs", "-o", "/i/plain-0000000002"]);
  assert.equal(dib.env.DIB_RELEASE, "21");
  assert.equal("ELEMENTS_PATH" in dib.env, false);
});

test("an image no provider uses is built as qcow2", () => {
  const result = loadConfigText("diskimages: [{name: lonely}]\n", "n.yaml");
  assert.ok(result.ok);
  assert.deepEqual(requiredFormats(result.config.diskimages[0]!, new Map(), result.config), ["qcow2"]);
});
