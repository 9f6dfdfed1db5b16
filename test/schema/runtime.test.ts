import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigRuntimeError, checkRuntimeRequirements } from "../../schema/index.ts";
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
