import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { execa } from "execa";
import { processAlive } from "../../../engine/daemon/pid-file.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { ROOT } from "./_spawned.ts";

interface LogLine {
  msg: string;
  pid: number;
}


async function logLines(file: string): Promise<LogLine[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as LogLine);
}

async function pidIn(file: string): Promise<number | undefined> {
  const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * A directory for the test with its pid file and log file paths. Afterwards, even when the test
 * failed, whatever daemon it started (named by the pid file or the log lines) is killed, then
 * the directory removed.
 */
async function daemonFiles(t: TestContext, pidFile: string, logFile: string): Promise<{ dir: string; pidFile: string; logFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), "daemonise-"));
  const files = { dir, pidFile: join(dir, pidFile), logFile: join(dir, logFile) };
  t.after(async () => {
    const pids = new Set((await logLines(files.logFile)).map((line) => line.pid));
    const named = await pidIn(files.pidFile);
    if (named !== undefined) pids.add(named);
    for (const pid of pids) if (pid !== process.pid && processAlive(pid)) process.kill(pid, "SIGKILL");
    await waitFor("the test's daemons gone", () => [...pids].every((pid) => pid === process.pid || !processAlive(pid)));
    await rm(dir, { recursive: true, force: true });
  });
  return files;
}

/** Runs the command as an init script would: it daemonises and the call returns when it has. */
function start(t: TestContext, bin: "nodepool-launcher" | "nodepool-builder", args: string[], cwd: string) {
  const parent = execa(`${ROOT}bin/${bin}`, args, { cwd, reject: false, env: { NODEPOOL_LOG_LEVEL: "info" } });
  t.after(() => parent.kill("SIGKILL"));
  return parent;
}

const launcherConfig = (labels: string[]): string =>
  [
    "labels:",
    ...labels.map((name) => `  - {name: ${name}, min-ready: 0}`),
    "providers:",
    "  - name: fake-provider",
    "    driver: fake",
    "    cloud: fake",
    "    cloud-images: [{name: precise, image-name: Fake Precise}]",
    "    pools:",
    `      - {name: main, max-servers: 10, labels: [${labels.map((l) => `{name: ${l}, cloud-image: precise, min-ram: 8192}`).join(", ")}]}`,
    "",
  ].join("\n");

test("nodepool-launcher daemonises: returns once the daemon holds the pid file, logs to its file, follows rotation and config changes, stops on SIGINT", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const { dir, pidFile, logFile } = await daemonFiles(t, "run/launcher.pid", "log/launcher.log");
  await writeFile(join(dir, "nodepool.yaml"), launcherConfig(["a"]));
  await writeFile(join(dir, "logging.yaml"), `file: ${logFile}\n`);
  await mkdir(join(dir, "run"));
  // Relative paths, as an init script run from /etc/nodepool may pass: the daemon works in /.
  const args = ["-c", "nodepool.yaml", "--zookeeper", hosts, "-p", "run/launcher.pid", "-l", "logging.yaml", "--no-webapp"];

  const starting = start(t, "nodepool-launcher", args, dir);
  const parent = await starting;
  assert.equal(parent.exitCode, 0, parent.stderr);
  assert.equal(parent.stderr, "");
  const pid = await pidIn(pidFile);
  assert.ok(pid !== undefined && pid !== starting.pid && processAlive(pid), `pid file names ${pid}, parent ${starting.pid}`);
  const lines = await logLines(logFile);
  assert.ok(lines.some((line) => line.msg === "launcher started" && line.pid === pid), JSON.stringify(lines));
  assert.equal((await zk.getLaunchers()).length, 1);

  // A second one on the same pid file waits 10 s for the first to go, then is refused at the terminal.
  const second = start(t, "nodepool-launcher", args, dir);

  // logrotate moves the file away: the daemon's next lines go to a new file of the same name.
  await rename(logFile, `${logFile}.1`);
  await waitFor("the log file reopened", async () => (await readFile(logFile).catch(() => undefined)) !== undefined);
  await writeFile(join(dir, "nodepool.yaml.tmp"), launcherConfig(["a", "b"]));
  await rename(join(dir, "nodepool.yaml.tmp"), join(dir, "nodepool.yaml"));
  await waitFor("the config change applied, in the new log file", async () => (await logLines(logFile)).some((l) => l.msg === "config change applied"));
  await waitFor("registration gains label b", async () => (await zk.getLaunchers())[0]?.supportedLabels.join(",") === "a,b");

  const refused = await second;
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, new RegExp(`^nodepool-launcher: already running as process ${pid} \\(pid file ${pidFile}; waited 10 s for it to exit\\)`));
  assert.equal(await pidIn(pidFile), pid);

  process.kill(pid, "SIGINT");
  await waitFor("the daemon gone and its pid file removed", async () => !processAlive(pid) && (await pidIn(pidFile)) === undefined);
  assert.ok((await logLines(logFile)).some((line) => line.msg === "stopped"));
  assert.deepEqual(await zk.getLaunchers(), []);
});

test("nodepool-launcher with a bad config: the command fails with the errors at the terminal and leaves no daemon", async (t) => {
  const { hosts } = await zkForTest(t);
  const { dir, pidFile, logFile } = await daemonFiles(t, "launcher.pid", "launcher.log");
  const config = join(dir, "nodepool.yaml");
  await writeFile(config, "labels:\n  - name: a\n    min-ready: lots\n");
  await writeFile(join(dir, "logging.yaml"), `file: ${logFile}\n`);

  const starting = start(t, "nodepool-launcher", ["-c", config, "--zookeeper", hosts, "-p", pidFile, "-l", join(dir, "logging.yaml")], dir);
  const parent = await starting;
  assert.equal(parent.exitCode, 1);
  assert.match(parent.stderr, new RegExp(`^nodepool-launcher: ${config} is not a valid configuration:\\n${config}:3:\\d+: error: .*min-ready`));
  assert.equal(await pidIn(pidFile), undefined);
  const daemons = new Set((await logLines(logFile)).map((line) => line.pid));
  assert.equal(daemons.size, 1, "the daemonised child logged the errors");
  for (const pid of daemons) {
    assert.notEqual(pid, starting.pid);
    await waitFor(`process ${pid} gone`, () => !processAlive(pid));
  }
});

test("nodepool-builder daemonises the same way; a log file it cannot open fails the command", async (t) => {
  const { hosts } = await zkForTest(t);
  const { dir, pidFile, logFile } = await daemonFiles(t, "builder.pid", "builder.log");
  const config = join(dir, "nodepool.yaml");
  // A paused image: the daemon runs without building anything.
  await writeFile(config, `images-dir: ${join(dir, "images")}\nbuild-log-dir: ${join(dir, "builds")}\ndiskimages:\n  - {name: one, pause: true}\n`);
  const args = ["-c", config, "--zookeeper", hosts, "-p", pidFile, "--fake"];

  // Under a regular file no directory can be made, whoever runs the test.
  await writeFile(join(dir, "unwritable.yaml"), `file: ${join(config, "builder.log")}\n`);
  const failed = await start(t, "nodepool-builder", [...args, "-l", join(dir, "unwritable.yaml")], dir);
  assert.equal(failed.exitCode, 2);
  assert.match(failed.stderr, new RegExp(`^nodepool-builder: cannot open the log file ${join(config, "builder.log")}: `));
  assert.equal(await pidIn(pidFile), undefined);

  await writeFile(join(dir, "logging.yaml"), `file: ${logFile}\n`);
  const starting = start(t, "nodepool-builder", [...args, "-l", join(dir, "logging.yaml")], dir);
  const parent = await starting;
  assert.equal(parent.exitCode, 0, parent.stderr);
  const pid = await pidIn(pidFile);
  assert.ok(pid !== undefined && pid !== starting.pid && processAlive(pid), `pid file names ${pid}, parent ${starting.pid}`);
  assert.ok((await logLines(logFile)).some((line) => line.msg === "builder started" && line.pid === pid));

  process.kill(pid, "SIGINT");
  await waitFor("the daemon gone and its pid file removed", async () => !processAlive(pid) && (await pidIn(pidFile)) === undefined);
  assert.ok((await logLines(logFile)).some((line) => line.msg === "stopped"));
});
