import assert from "node:assert/strict";
import { mkdtemp, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { pino } from "pino";
import { stringify } from "yaml";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { LauncherDaemon } from "../../../engine/launcher/daemon.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";

function yamlConfig(labels: string[], providers = ["fake-provider"]): string {
  return stringify({
    labels: labels.map((name) => ({ name })),
    providers: providers.map((name) => ({
      name,
      driver: "fake",
      cloud: "fake",
      "cloud-images": [{ name: "precise", "image-name": "Fake Precise" }],
      pools: [{ name: "main", "max-servers": 10, labels: labels.map((label) => ({ name: label, "cloud-image": "precise", "min-ram": 8192 })) }],
    })),
  });
}

/** Replaces the file the way editors do, so the watcher sees a new file. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

test("config changes apply without a restart; a config that no longer validates is refused", async (t) => {
  resetFakeClouds();
  const { zk, hosts } = await zkForTest(t);
  const dir = await mkdtemp(join(tmpdir(), "nodepool-launcher-"));
  const path = join(dir, "nodepool.yaml");
  await writeFile(path, yamlConfig(["a"]));
  // Silent: the refused config's errors are expected here.
  const daemon = await LauncherDaemon.start({ configPath: path, zookeeper: hosts, log: pino({ level: "silent" }) });
  t.after(() => daemon.stop());
  const labels = async (): Promise<string> => (await zk.getLaunchers()).map((l) => l.supportedLabels.join(",")).join(";");
  await waitFor("registered with label a", async () => (await labels()) === "a");
  await replaceFile(path, yamlConfig(["a", "b"]));
  await waitFor("registration gains label b", async () => (await labels()) === "a,b");
  await replaceFile(path, yamlConfig(["a", "b"], ["fake-provider", "fake-provider2"]));
  await waitFor("a second provider's pool worker", async () => (await zk.getLaunchers()).length === 2);
  await replaceFile(path, yamlConfig(["a", "b"]));
  await waitFor("the removed provider's pool worker gone", async () => (await zk.getLaunchers()).length === 1);
  await replaceFile(path, "providers: [{name: broken, driver: nosuchdriver}]\n");
  assert.equal(await daemon.reload(), false);
  assert.equal(await labels(), "a,b");
  assert.deepEqual(daemon.launcher.currentConfig.labels.map((l) => l.name), ["a", "b"]);
});

test("nodepool-launcher runs on a config and stops cleanly on SIGINT", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const dir = await mkdtemp(join(tmpdir(), "nodepool-launcher-"));
  const path = join(dir, "nodepool.yaml");
  await writeFile(path, yamlConfig(["a"]));
  await execa("npm", ["run", "build"], { cwd: new URL("../../..", import.meta.url).pathname });
  const child = execa("bin/nodepool-launcher", ["-c", path, "--zookeeper", hosts], { cwd: new URL("../../..", import.meta.url).pathname, reject: false });
  t.after(() => child.kill("SIGKILL"));
  await waitFor("launcher registered", async () => (await zk.getLaunchers()).length === 1, 20_000);
  child.kill("SIGINT");
  const result = await child;
  assert.equal(result.exitCode, 0, result.stderr);
  await waitFor("registration withdrawn", async () => (await zk.getLaunchers()).length === 0);
});
