import assert from "node:assert/strict";
import { access, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { spawnDaemon } from "../daemon/_spawned.ts";
import { zkForTest } from "../../helpers/zk.ts";
import { testDirs } from "./_builder.ts";

test("nodepool-builder holds its pid file, follows config changes, profiles on SIGUSR2, dies on SIGTERM and stops on SIGINT", async (t) => {
  const { hosts } = await zkForTest(t);
  const dirs = await testDirs(t);
  const path = join(dirs.dir, "nodepool.yaml");
  const pidFile = join(dirs.dir, "builder.pid");
  // Paused images: the daemon runs without building anything.
  const configText = (images: string[]): string =>
    `images-dir: ${dirs.imagesDir}\nbuild-log-dir: ${dirs.logDir}\ndiskimages:\n${images.map((name) => `  - {name: ${name}, pause: true}\n`).join("")}`;
  const replace = async (text: string): Promise<void> => {
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  };
  await writeFile(path, configText(["one"]));
  const args = ["-c", path, "--zookeeper", hosts, "-p", pidFile, "--fake"];
  const env = { TMPDIR: dirs.dir };

  const builder = spawnDaemon(t, "nodepool-builder", args, env);
  await builder.waitForLog("builder started");
  assert.equal(await readFile(pidFile, "utf8"), `${builder.child.pid}\n`);
  const refused = await spawnDaemon(t, "nodepool-builder", args, env).child;
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, new RegExp(`already running as process ${builder.child.pid}`));

  let from = builder.lines.length;
  await replace(configText(["one", "two"]));
  const applied = await builder.waitForLog("config change applied", { from });
  assert.deepEqual(applied.images, ["one", "two"]);
  from = builder.lines.length;
  await replace(`images-dir: ${dirs.imagesDir}\ndiskimages:\n  - {name: one, rebuild-age: soon}\n`);
  await builder.waitForLog("config change refused", { from });
  assert.ok(builder.lines.slice(from).some((l) => l.level === 50 && l.msg.includes("rebuild-age")), JSON.stringify(builder.lines.slice(from)));

  builder.child.kill("SIGUSR2");
  await builder.waitForLog("CPU profiling started");
  builder.child.kill("SIGUSR2");
  const profilePath = String((await builder.waitForLog("CPU profile written")).path);
  assert.ok((JSON.parse(await readFile(profilePath, "utf8")) as { nodes: unknown[] }).nodes.length > 0);

  // SIGTERM: the default termination; the pid file stays behind, stale.
  builder.child.kill("SIGTERM");
  assert.equal((await builder.child).signal, "SIGTERM");
  await access(pidFile);

  await replace(configText(["one"]));
  const next = spawnDaemon(t, "nodepool-builder", args, env);
  await next.waitForLog("builder started");
  assert.equal(await readFile(pidFile, "utf8"), `${next.child.pid}\n`);
  next.child.kill("SIGINT");
  const stopped = await next.child;
  assert.equal(stopped.exitCode, 0, stopped.stderr);
  await assert.rejects(access(pidFile), { code: "ENOENT" });
});

test("nodepool-builder refuses worker counts below one", async (t) => {
  const dirs = await testDirs(t);
  const path = join(dirs.dir, "nodepool.yaml");
  await writeFile(path, `images-dir: ${dirs.imagesDir}\nzookeeper-servers: [{host: 127.0.0.1}]\n`);
  const run = await spawnDaemon(t, "nodepool-builder", ["-c", path, "--build-workers", "0"]).child;
  assert.equal(run.exitCode, 2);
  assert.match(run.stderr, /--build-workers must be a whole number of at least 1, got 0/);
});
