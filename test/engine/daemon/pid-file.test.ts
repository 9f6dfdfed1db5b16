import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { execa } from "execa";
import { acquirePidFile, PID_FILE_TIMEOUT_MS, PidFileError, PidFileInUseError } from "../../../engine/daemon/pid-file.ts";

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

test("a pid file naming a live process refuses the start after waiting for it, and is left alone", async (t) => {
  const path = await pidPath(t);
  // This test process stands for the daemon already running.
  await writeFile(path, `${process.pid}\n`);
  const waitedOn: number[] = [];
  const started = Date.now();
  await assert.rejects(acquirePidFile(path, { pid: process.pid + 1, timeoutMs: 300, onWait: (holder) => waitedOn.push(holder) }), (error: unknown) => {
    assert.ok(error instanceof PidFileInUseError);
    assert.match(error.message, new RegExp(`already running as process ${process.pid} \\(pid file ${path}; waited 0.3 s for it to exit\\)`));
    return true;
  });
  assert.ok(Date.now() - started >= 300);
  assert.deepEqual(waitedOn, [process.pid]);
  assert.equal(await readFile(path, "utf8"), `${process.pid}\n`);
});

test("the wait for a live holder ends when it exits, and the pid file is taken", async (t) => {
  const path = await pidPath(t);
  const holder = execa(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { reject: false });
  t.after(() => holder.kill("SIGKILL"));
  assert.ok(holder.pid !== undefined);
  await writeFile(path, `${holder.pid}\n`);
  const acquiring = acquirePidFile(path, { onWait: () => holder.kill("SIGTERM") });
  const held = await acquiring;
  assert.equal(await readFile(path, "utf8"), `${process.pid}\n`);
  await held.release();
});

test("of two daemons starting at once on one pid file, exactly one holds it", async (t) => {
  const path = await pidPath(t);
  // Both ids live (this process and its parent), so the loser waits, then is refused.
  for (let round = 0; round < 5; round++) {
    const results = await Promise.allSettled([process.pid, process.ppid].map((pid) => acquirePidFile(path, { pid, timeoutMs: 50 })));
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, JSON.stringify(results));
    await won[0]?.value.release();
  }
});

test("acquiring waits 10 s by default, as the reference's pid lock", () => {
  assert.equal(PID_FILE_TIMEOUT_MS, 10_000);
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
