import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { access, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { pino } from "pino";
import { stringify } from "yaml";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { LauncherDaemon } from "../../../engine/launcher/daemon.ts";
import { spawnDaemon } from "../daemon/_spawned.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";

function yamlConfig(labels: string[], providers = ["fake-provider"], minReady = 0): string {
  return stringify({
    webapp: { port: 0, listen_address: "127.0.0.1" },
    labels: labels.map((name) => ({ name, "min-ready": minReady })),
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

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nodepool-launcher-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test("config changes apply without a restart; a config that no longer validates is refused", async (t) => {
  resetFakeClouds();
  const { zk, hosts } = await zkForTest(t);
  const path = join(await tempDir(t), "nodepool.yaml");
  await writeFile(path, yamlConfig(["a"]));
  // Silent: the refused config's errors are expected here.
  const daemon = await LauncherDaemon.start({ configPath: path, zookeeper: hosts, log: pino({ level: "silent" }), webapp: false });
  t.after(() => daemon.stop());
  assert.equal(daemon.webUrl, undefined);
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

test("/ready answers 500 until every provider has started, then 200", async (t) => {
  resetFakeClouds();
  const { hosts } = await zkForTest(t);
  const path = join(await tempDir(t), "nodepool.yaml");
  await writeFile(path, yamlConfig(["a"]));
  const daemon = await LauncherDaemon.prepare({ configPath: path, zookeeper: hosts, log: pino({ level: "silent" }) });
  t.after(() => daemon.stop());
  assert.ok(daemon.webUrl !== undefined);
  const ready = await fetch(`${daemon.webUrl}/ready`);
  assert.equal(ready.status, 500);
  assert.equal(ready.headers.get("cache-control"), "no-store");
  await daemon.run();
  assert.equal((await fetch(`${daemon.webUrl}/ready`)).status, 200);
});

test("nodepool-launcher serves the web API, sends statsd, follows config changes, profiles on SIGUSR2, holds its pid file and stops on SIGINT", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const dir = await tempDir(t);
  const path = join(dir, "nodepool.yaml");
  const pidFile = join(dir, "launcher.pid");
  await writeFile(path, yamlConfig(["a"], ["fake-provider"], 1));

  const metrics: string[] = [];
  const udp = createSocket("udp4");
  udp.on("message", (msg) => metrics.push(...msg.toString().split("\n")));
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  t.after(() => udp.close());

  const env = { STATSD_HOST: "127.0.0.1", STATSD_PORT: String(udp.address().port), TMPDIR: dir };
  const launcher = spawnDaemon(t, "nodepool-launcher", ["-c", path, "--zookeeper", hosts, "-p", pidFile, "-f"], env);
  const url = String((await launcher.waitForLog("web API listening")).url);
  await launcher.waitForLog("launcher started");
  assert.equal(await readFile(pidFile, "utf8"), `${launcher.child.pid}\n`);
  assert.equal((await fetch(`${url}/ready`)).status, 200);

  // min-ready 1: a node comes up; the web API lists it and statsd counts it.
  await waitFor("a ready node listed", async () => {
    const nodes = (await (await fetch(`${url}/node-list`, { headers: { accept: "application/json" } })).json()) as { state: string; label: string[] }[];
    return nodes.some((n) => n.state === "ready");
  });
  const text = await (await fetch(`${url}/node-list?fields=label,state`)).text();
  assert.match(text, /\| a +\| ready +\|/);
  await waitFor("the ready-node gauge", () => metrics.includes("nodepool.nodes.ready:1|g"));
  assert.ok(metrics.some((m) => m.startsWith("nodepool.launch.ready:")), metrics.join(" "));

  // A second launcher on the same pid file is refused while this one lives.
  const second = spawnDaemon(t, "nodepool-launcher", ["-c", path, "--zookeeper", hosts, "-p", pidFile], env);
  const refused = await second.child;
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, new RegExp(`already running as process ${launcher.child.pid}`));

  let from = launcher.lines.length;
  await replaceFile(path, yamlConfig(["a", "b"], ["fake-provider"], 1));
  await launcher.waitForLog("config change applied", { from });
  await waitFor("registration gains label b", async () => (await zk.getLaunchers())[0]?.supportedLabels.join(",") === "a,b");
  from = launcher.lines.length;
  await replaceFile(path, "labels:\n  - name: a\n    min-ready: lots\n");
  await launcher.waitForLog("config change refused", { from });
  assert.ok(launcher.lines.slice(from).some((l) => l.level === 50 && l.msg.includes("min-ready")), JSON.stringify(launcher.lines.slice(from)));
  assert.equal((await fetch(`${url}/ready`)).status, 200);
  assert.equal((await zk.getLaunchers())[0]?.supportedLabels.join(","), "a,b");

  launcher.child.kill("SIGUSR2");
  await launcher.waitForLog("CPU profiling started");
  launcher.child.kill("SIGUSR2");
  const profilePath = String((await launcher.waitForLog("CPU profile written")).path);
  assert.ok(profilePath.startsWith(`${dir}/nodepool-launcher-${launcher.child.pid}-`), profilePath);
  const profile = JSON.parse(await readFile(profilePath, "utf8")) as { nodes: unknown[] };
  assert.ok(profile.nodes.length > 0);

  launcher.child.kill("SIGINT");
  const result = await launcher.child;
  assert.equal(result.exitCode, 0, result.stderr);
  await assert.rejects(access(pidFile), { code: "ENOENT" });
  assert.deepEqual(await zk.getLaunchers(), []);
});

test("nodepool-launcher exits 0 at once on SIGTERM; --no-webapp serves nothing", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const dir = await tempDir(t);
  const path = join(dir, "nodepool.yaml");
  const pidFile = join(dir, "launcher.pid");
  await writeFile(path, yamlConfig(["a"]));
  const launcher = spawnDaemon(t, "nodepool-launcher", ["-c", path, "--zookeeper", hosts, "-p", pidFile, "--no-webapp"]);
  await launcher.waitForLog("launcher started");
  assert.equal(launcher.lines.some((l) => l.msg.includes("web API listening")), false);
  assert.equal((await zk.getLaunchers()).length, 1);
  launcher.child.kill("SIGTERM");
  const result = await launcher.child;
  assert.equal(result.exitCode, 0, result.stderr);
  assert.ok(launcher.lines.some((l) => l.msg === "exiting now without cleanup"));
  assert.equal(launcher.lines.some((l) => l.msg === "stopped"), false);
  await assert.rejects(access(pidFile), { code: "ENOENT" });
});
