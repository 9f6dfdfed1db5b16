import assert from "node:assert/strict";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { daemonLogger, LogConfigError } from "../../../engine/daemon/logging.ts";

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "daemon-logging-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const messages = async (path: string): Promise<string[]> =>
  (await readFile(path, "utf8")).trim().split("\n").map((line) => (JSON.parse(line) as { msg: string }).msg);

test("-l: the level and the file of the logging config; the file is reopened on SIGHUP after rotation", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "logs", "launcher.log");
  const logConfig = join(dir, "logging.yaml");
  await writeFile(logConfig, `level: warn\nfile: ${file}\n`);
  const { log, close } = await daemonLogger({ name: "nodepool-launcher", debug: true, logConfig });
  t.after(close);
  log.info("not at warn");
  log.warn("first");
  assert.deepEqual(await messages(file), ["first"]);
  await rename(file, `${file}.1`);
  process.emit("SIGHUP", "SIGHUP");
  log.warn({ password: "hunter2" }, "second");
  assert.deepEqual(await messages(file), ["second"]);
  assert.doesNotMatch(await readFile(file, "utf8"), /hunter2/);
  assert.deepEqual(await messages(`${file}.1`), ["first"]);
});

test("-l: a file that is not a logging config is refused, naming the problem", async (t) => {
  const logConfig = join(await tempDir(t), "logging.ini");
  await writeFile(logConfig, "[loggers]\nkeys=root\n");
  await assert.rejects(daemonLogger({ name: "nodepool-builder", debug: false, logConfig }), (error: unknown) => error instanceof LogConfigError && error.message.includes(logConfig));
  await writeFile(logConfig, "level: loud\n");
  await assert.rejects(daemonLogger({ name: "nodepool-builder", debug: false, logConfig }), (error: unknown) => error instanceof LogConfigError && /level/.test(error.message));
});
