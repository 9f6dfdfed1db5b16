import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigRuntimeError, checkRuntimeRequirements, effectiveFormats, loadConfigText } from "../../schema/index.ts";
import { fixtures } from "./_fixtures.ts";
import { loadValid } from "./_load.ts";

test("daemons need ZooKeeper servers after the secure merge; the builder needs images-dir", () => {
  const { config } = loadValid("labels: []\n");
  assert.throws(() => checkRuntimeRequirements(config, "launcher"), (e: unknown) => e instanceof ConfigRuntimeError && e.code === "runtime.no-zookeeper");
  const { config: merged } = loadValid("labels: []\n", { secureText: "zookeeper-servers: [{host: zk1}]\n" });
  checkRuntimeRequirements(merged, "launcher");
  assert.throws(() => checkRuntimeRequirements(merged, "builder"), /no images-dir specified/);
  const { config: builder } = loadValid("images-dir: /opt/images\nzookeeper-servers: [{host: zk1}]\n");
  checkRuntimeRequirements(builder, "builder");
});

test("effective formats: own formats, each uploading provider's cloud image format, else qcow2 (§2.9.2)", () => {
  const fixture = fixtures().find((f) => f.name === "node_vhd_and_qcow2.yaml");
  assert.ok(fixture);
  const result = loadConfigText(fixture.text, fixture.name);
  assert.ok(result.ok);
  const imageFormat = (cloud: string): string | undefined => (cloud === "fake-vhd" ? "vhd" : undefined);
  assert.deepEqual(effectiveFormats(result.config, "fake-image", imageFormat).sort(), ["qcow2", "vhd"]);
  const { config } = loadValid("diskimages: [{name: a, formats: [tar]}, {name: b}]\n");
  assert.deepEqual(effectiveFormats(config, "a", imageFormat), ["tar"]);
  assert.deepEqual(effectiveFormats(config, "b", imageFormat), ["qcow2"]);
});
