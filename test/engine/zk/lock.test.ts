import assert from "node:assert/strict";
import { hostname } from "node:os";
import { test, type TestContext } from "node:test";
import { asNodeId } from "../../../engine/zk/ids.ts";
import { ZkLock } from "../../../engine/zk/lock.ts";
import { newNode } from "../../../engine/zk/records/node.ts";
import { encodeNode } from "../../../engine/zk/records/node.ts";
import { LockBusyError } from "../../../engine/zk/errors.ts";
import { Kazoo, KazooError } from "../../kazoo/kazoo.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";

/** spec/zookeeper.md §9 items 1-5 and 23: our lock against kazoo's own Lock recipe. */

const LOCK = "/nodepool/nodes/0000000000/lock";
const CONTENDER = /^[0-9a-f]{32}__lock__[0-9]{10}$/;

async function setup(t: TestContext, sessionTimeoutMs?: number) {
  const env = await zkForTest(t, sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs });
  const kazoo = await Kazoo.start(t, env.hosts);
  // The node record pre-created by kazoo with valid node JSON, as the checklist says.
  await kazoo.call("create", { path: "/nodepool/nodes/0000000000", data: JSON.parse(encodeNode(newNode({ state: "ready", provider: "p" })).toString()) });
  return { ...env, kazoo, lock: () => new ZkLock(env.zk.client, LOCK, { directory: { kind: "below", floor: "/nodepool/nodes/0000000000" } }) };
}

const children = async (kazoo: Kazoo): Promise<string[]> => kazoo.call<string[]>("children", { path: LOCK });

test("contender naming: one ephemeral child with kazoo's name pattern and empty data", async (t) => {
  const { zk, lock, kazoo } = await setup(t);
  const l = lock();
  assert.equal(await l.acquire(), true);
  const names = await children(kazoo);
  assert.equal(names.length, 1);
  assert.match(names[0] ?? "", CONTENDER);
  const seen = await kazoo.call<{ data: string; ephemeralOwner: string }>("get", { path: `${LOCK}/${names[0]}` });
  assert.equal(seen.data, "");
  assert.equal(seen.ephemeralOwner, zk.client.sessionId);
  const contenders = await kazoo.call<string[]>("contenders", { path: LOCK });
  assert.deepEqual(contenders, [""], "kazoo reads our contender data as empty");
  await l.release();
  assert.deepEqual(await children(kazoo), []);
  assert.notEqual(await zk.client.exists(LOCK), null, "the lock directory stays after release");
});

test("kazoo blocks us: non-blocking, timeout, then acquisition once kazoo releases", async (t) => {
  const { zk, lock, kazoo } = await setup(t);
  assert.equal(await kazoo.call("lock", { name: "A", path: LOCK }), true);
  const kazooOnly = await children(kazoo);
  assert.equal(await lock().acquire({ blocking: false }), false);
  assert.deepEqual(await children(kazoo), kazooOnly, "our refused attempt left nothing behind");
  await assert.rejects(zk.lockNode(asNodeId("0000000000"), { blocking: false }), LockBusyError);
  const started = Date.now();
  assert.equal(await lock().acquire({ timeoutMs: 2000 }), false);
  assert.ok(Date.now() - started >= 1900);
  assert.deepEqual(await children(kazoo), kazooOnly, "our timed-out contender is removed");
  const waiter = lock();
  const acquired = waiter.acquire();
  await waitFor("our contender to queue", async () => (await children(kazoo)).length === 2);
  await kazoo.call("release", { name: "A" });
  const released = Date.now();
  assert.equal(await acquired, true);
  assert.ok(Date.now() - released < 1000);
  await waiter.release();
});

test("we block kazoo: non-blocking false, timeout raises, then kazoo acquires after our release", async (t) => {
  const { lock, kazoo } = await setup(t);
  const l = lock();
  assert.equal(await l.acquire(), true);
  assert.equal(await kazoo.call("lock", { name: "A", path: LOCK, blocking: false }), false);
  await assert.rejects(kazoo.call("lock", { name: "B", path: LOCK, timeout: 1 }), (e: unknown) => e instanceof KazooError && e.kazooClass === "LockTimeout");
  await l.release();
  assert.equal(await kazoo.call("lock", { name: "C", path: LOCK, timeout: 5 }), true);
});

test("FIFO across implementations, and a cancelled waiter does not disturb the queue", async (t) => {
  const { lock, kazoo } = await setup(t);
  assert.equal(await kazoo.call("lock", { name: "A", path: LOCK }), true);
  const b = lock();
  const bHeld = b.acquire();
  await waitFor("B to queue", async () => (await children(kazoo)).length === 2);
  const cHeld = kazoo.call("lock", { name: "C", path: LOCK });
  await waitFor("C to queue", async () => (await children(kazoo)).length === 3);
  await kazoo.call("release", { name: "A" });
  assert.equal(await bHeld, true);
  assert.equal(b.held, true);
  let cDone = false;
  void cHeld.then(() => (cDone = true));
  assert.equal(cDone, false, "C still waits while B holds");
  await b.release();
  assert.equal(await cHeld, true);
  await kazoo.call("release", { name: "C" });

  assert.equal(await kazoo.call("lock", { name: "A", path: LOCK }), true);
  const abort = new AbortController();
  const cancelled = lock().acquire({ signal: abort.signal });
  await waitFor("B to queue", async () => (await children(kazoo)).length === 2);
  const c2 = kazoo.call("lock", { name: "C", path: LOCK });
  await waitFor("C to queue", async () => (await children(kazoo)).length === 3);
  abort.abort();
  assert.equal(await cancelled, false);
  await waitFor("B's contender to go", async () => (await children(kazoo)).length === 2);
  await kazoo.call("release", { name: "A" });
  assert.equal(await c2, true);
});

test("our session expiry releases the lock to a kazoo waiter and reports the loss", async (t) => {
  const { zk, lock, kazoo } = await setup(t, 4000);
  const l = lock();
  assert.equal(await l.acquire(), true);
  const lost: string[] = [];
  l.onLost((e) => lost.push(e.code));
  const kazooWaits = kazoo.call("lock", { name: "W", path: LOCK, timeout: 20 });
  await waitFor("kazoo to queue", async () => (await children(kazoo)).length === 2);
  await zk.client.expireSessionForTest();
  assert.equal(await kazooWaits, true);
  await waitFor("the loss to be reported", () => lost.length > 0);
  assert.deepEqual(lost, ["zk.lock-lost"]);
  assert.equal(l.held, false);
  assert.throws(() => l.assertHeld(), /no longer held/);
});

test("stats election: we and kazoo contend, one leads, leadership moves when the leader's session ends", async (t) => {
  const { zk, hosts } = await zkForTest(t, { sessionTimeoutMs: 4000 });
  const kazoo = await Kazoo.start(t, hosts);
  const path = "/nodepool/elections/stats";
  const ours = zk.statsElection();
  assert.equal(await ours.acquire(), true, "first contender leads");
  await kazoo.call("elect", { name: "E", path, identifier: "host-1" });
  await waitFor("kazoo to contend", async () => (await kazoo.call<string[]>("children", { path })).length === 2);
  const contenders = await kazoo.call<string[]>("contenders", { path });
  assert.deepEqual(contenders, [`${hostname()}-${process.pid}`, "host-1"], "kazoo reads our identifier as the leader's");
  await zk.client.expireSessionForTest();
  await waitFor("kazoo to lead", async () => (await kazoo.call<string[]>("contenders", { path }))[0] === "host-1");
  await waitFor("a new session", () => zk.client.state === "connected");
  const again = zk.statsElection();
  assert.equal(await again.acquire({ blocking: false }), false, "kazoo now leads");
});

test("a thousand locks held at once by one client raise no listener-leak warning", async (t) => {
  const { zk } = await zkForTest(t);
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on("warning", onWarning);
  t.after(() => process.off("warning", onWarning));
  const locks = Array.from({ length: 1000 }, (_, i) => new ZkLock(zk.client, `/many/${i}`, { directory: { kind: "make-path" } }));
  assert.deepEqual(new Set(await Promise.all(locks.map((lock) => lock.acquire({ blocking: false })))), new Set([true]));
  await Promise.all(locks.map((lock) => lock.release()));
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(warnings.filter((name) => name === "MaxListenersExceededWarning"), []);
});

test("a fresh lock taken in one transaction with its write blocks kazoo, and released in a transaction lets kazoo in", async (t) => {
  const { zk, lock, kazoo } = await setup(t);
  const l = lock();
  const record = encodeNode(newNode({ state: "building", provider: "p" }));
  const results = await l.acquireFresh([{ op: "set", path: "/nodepool/nodes/0000000000", data: record }]);
  assert.ok(results !== null && results[0].op === "set");
  assert.equal(l.held, true);
  assert.match(l.contenderName ?? "", CONTENDER);
  assert.equal((await zk.client.get("/nodepool/nodes/0000000000")).data.toString(), record.toString(), "the write went with the lock");
  assert.equal(await kazoo.call("lock", { name: "A", path: LOCK, blocking: false }), false);
  const release = l.releaseOp;
  assert.ok(release);
  await zk.client.multi([{ op: "set", path: "/nodepool/nodes/0000000000", data: record }, release]);
  l.releasedWith();
  assert.equal(l.held, false);
  assert.equal(await kazoo.call("lock", { name: "B", path: LOCK, timeout: 5 }), true);
});

test("a fresh lock is refused, changing nothing, when its directory exists: kazoo holds or held it", async (t) => {
  const { zk, lock, kazoo } = await setup(t);
  assert.equal(await kazoo.call("lock", { name: "A", path: LOCK }), true);
  const before = (await zk.client.get("/nodepool/nodes/0000000000")).data.toString();
  const l = lock();
  assert.equal(await l.acquireFresh([{ op: "set", path: "/nodepool/nodes/0000000000", data: "{}" }]), null);
  assert.equal(l.held, false);
  assert.equal((await zk.client.get("/nodepool/nodes/0000000000")).data.toString(), before, "the write did not happen");
  assert.equal((await children(kazoo)).length, 1, "no contender of ours was left");
  await kazoo.call("release", { name: "A" });
  assert.equal(await l.acquireFresh([]), null, "an empty directory left by a released lock is not fresh either");
  assert.equal(await l.acquire({ blocking: false }), true);
  await l.release();
});
