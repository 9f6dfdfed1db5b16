import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test, type TestContext } from "node:test";
import { daemonise, runMode, START_WAIT_MS } from "../../../engine/daemon/daemonise.ts";
import { processAlive } from "../../../engine/daemon/pid-file.ts";
import { waitFor } from "../../helpers/zk.ts";

const CHILD = new URL("./_daemon-child.ts", import.meta.url).pathname;

/** Runs daemonise() on the stand-in child; returns the status and what it wrote to stderr. */
async function parent(how: string, startWaitMs?: number): Promise<{ status: number; stderr: string }> {
  let stderr = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stderr += chunk.toString();
      done();
    },
  });
  const status = await daemonise({ name: "nodepool-launcher", stderr: sink, args: ["--import", "tsx", CHILD, how], ...(startWaitMs === undefined ? {} : { startWaitMs }) });
  return { status, stderr };
}

test("the command runs in the foreground with -f/-d, daemonises without, and is the daemon when marked", () => {
  assert.equal(runMode(true, {}), "foreground");
  assert.equal(runMode(false, {}), "parent");
  assert.equal(runMode(false, { NODEPOOL_DAEMON_CHILD: "1" }), "daemon");
  assert.equal(START_WAIT_MS, 30_000);
});

test("the parent exits 0 when the daemon reports its start, and with the daemon's status and message when it fails", async () => {
  assert.deepEqual(await parent("started"), { status: 0, stderr: "" });
  assert.deepEqual(await parent("failed"), { status: 7, stderr: "nodepool-launcher: it went wrong\n" });
  assert.deepEqual(await parent("crash"), { status: 3, stderr: "nodepool-launcher: the daemon process ended with status 3 before it started; run it with -f to see why\n" });
});

test("a daemon still starting when the wait is over is left running and the parent exits 0 saying so", async (t: TestContext) => {
  const { status, stderr } = await parent("silent", 500);
  const pid = Number(/process (\d+)/.exec(stderr)?.[1]);
  t.after(() => {
    if (processAlive(pid)) process.kill(pid, "SIGKILL");
  });
  assert.equal(status, 0);
  assert.match(stderr, /^nodepool-launcher: the daemon \(process \d+\) is still starting after 0.5 s, most likely waiting for ZooKeeper/);
  assert.ok(processAlive(pid));
  process.kill(pid, "SIGTERM");
  await waitFor("the stand-in daemon gone", () => !processAlive(pid));
});
