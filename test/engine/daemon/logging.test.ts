import assert from "node:assert/strict";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { daemonLogger, LogConfigError, LogFileError } from "../../../engine/daemon/logging.ts";
import { waitFor } from "../../helpers/zk.ts";

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
  // Now, before the directory goes (after hooks run in order), or its deleted file would be made again.
  close();
});

test("a log file moved away by logrotate is reopened without a signal, as Python's WatchedFileHandler", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, "nodepool.log");
  const { log, file: logged, close } = await daemonLogger({ name: "nodepool-launcher", debug: false, defaultFile: file });
  t.after(close);
  assert.equal(logged, file);
  log.debug("not at info");
  log.info("first");
  await rename(file, `${file}.1`);
  await waitFor("a new log file", () => readFile(file).then(() => true, () => false));
  log.info("second");
  assert.deepEqual(await messages(file), ["second"]);
  assert.deepEqual(await messages(`${file}.1`), ["first"]);
  await rm(file);
  await waitFor("the deleted log file made again", () => readFile(file).then(() => true, () => false));
  log.info("third");
  assert.deepEqual(await messages(file), ["third"]);
  close();
});

test("a log file that cannot be opened is an error naming it", async (t) => {
  const dir = await tempDir(t);
  const blocker = join(dir, "not-a-directory");
  await writeFile(blocker, "");
  const file = join(blocker, "nodepool.log");
  await assert.rejects(daemonLogger({ name: "nodepool-builder", debug: false, defaultFile: file }), (error: unknown) => error instanceof LogFileError && error.message.startsWith(`cannot open the log file ${file}: `));
});

test("-l: a file that is not a logging config is refused, naming the problem", async (t) => {
  const logConfig = join(await tempDir(t), "logging.ini");
  await writeFile(logConfig, "[loggers]\nkeys=root\n");
  await assert.rejects(daemonLogger({ name: "nodepool-builder", debug: false, logConfig }), (error: unknown) => error instanceof LogConfigError && error.message.includes(logConfig));
  await writeFile(logConfig, "level: loud\n");
  await assert.rejects(daemonLogger({ name: "nodepool-builder", debug: false, logConfig }), (error: unknown) => error instanceof LogConfigError && /level/.test(error.message));
});
