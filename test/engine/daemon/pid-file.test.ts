import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { execa } from "execa";
import { acquirePidFile, PidFileError, PidFileInUseError } from "../../../engine/daemon/pid-file.ts";

async function pidPath(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pid-file-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, "nodepool.pid");
}

/** The id of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ["-e", ""]);
  await child;
  assert.ok(child.pid !== undefined);
  return child.pid;
}

test("the pid file holds our pid while held and is removed on release", async (t) => {
  const path = await pidPath(t);
  const held = await acquirePidFile(path);
  assert.equal(await readFile(path, "utf8"), `${process.pid}\n`);
  await held.release();
  await assert.rejects(readFile(path), { code: "ENOENT" });
});

test("a pid file naming a live process refuses the start and is left alone", async (t) => {
  const path = await pidPath(t);
  // This test process stands for the daemon already running.
  await writeFile(path, `${process.pid}\n`);
  await assert.rejects(acquirePidFile(path, process.pid + 1), (error: unknown) => {
    assert.ok(error instanceof PidFileInUseError);
    assert.match(error.message, new RegExp(`already running as process ${process.pid} \\(pid file ${path}\\)`));
    return true;
  });
  assert.equal(await readFile(path, "utf8"), `${process.pid}\n`);
});

test("a stale pid file (dead process, or garbage) is broken and taken", async (t) => {
  const path = await pidPath(t);
  for (const stale of [`${await deadPid()}\n`, "not a pid\n", ""]) {
    await writeFile(path, stale);
    const held = await acquirePidFile(path);
    assert.equal(await readFile(path, "utf8"), `${process.pid}\n`);
    await held.release();
  }
});

test("release leaves a pid file another process has taken since", async (t) => {
  const path = await pidPath(t);
  const held = await acquirePidFile(path);
  await writeFile(path, "1\n");
  await held.release();
  held.releaseSync();
  assert.equal(await readFile(path, "utf8"), "1\n");
});

test("a pid file in a missing directory is an error that names it", async (t) => {
  const path = join(await pidPath(t), "..", "missing", "nodepool.pid");
  await assert.rejects(acquirePidFile(path), (error: unknown) => error instanceof PidFileError && error.message.includes(path));
});
