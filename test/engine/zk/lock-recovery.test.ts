import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { ZkClient, type ConnectionState } from "../../../engine/zk/client.ts";
import { ConnectionLossError } from "../../../engine/zk/errors.ts";
import { asNodeId } from "../../../engine/zk/ids.ts";
import { ZkLock } from "../../../engine/zk/lock.ts";
import { storeNodeOp } from "../../../engine/zk/nodepool-zk.ts";
import * as P from "../../../engine/zk/paths.ts";
import { encodeNode, newNode } from "../../../engine/zk/records/node.ts";
import { quietLogger, splitTestHosts, ZK_OP, zkForTest, zkProxy, type LossPoint, type ZkRequestSeen } from "../../helpers/zk.ts";

/**
 * spec/zookeeper.md §9 item 6 (rule §3.6): a connection lost around the contender's create,
 * the session surviving, leaves exactly one contender of ours, never an orphan. The locking
 * client talks through a proxy that breaks its connection at the create; an independent
 * session checks what ZooKeeper holds.
 */

// Short, so a session the test failed to keep would end within the test; reconnecting through
// the proxy takes milliseconds.
const SESSION_MS = 4_000;
const NODE = asNodeId("0000000000");
const LOCK = P.nodeLockPath(NODE);

const isContenderCreate = (request: ZkRequestSeen): boolean => request.type === ZK_OP.create && /\/lock\/[0-9a-f]{32}__lock__$/.test(request.path ?? "");

async function setup(t: TestContext, options: { lockDirectory: boolean }) {
  const { hosts, zk } = await zkForTest(t, { sessionTimeoutMs: SESSION_MS });
  await zk.client.createWithParents(P.nodePath(NODE), encodeNode(newNode({ state: "init", provider: "p" })), "persistent");
  if (options.lockDirectory) await zk.client.create(LOCK);
  const { server, chroot } = splitTestHosts(hosts);
  const proxy = await zkProxy(t, server);
  const client = await ZkClient.connect({ hosts: `${proxy.address}${chroot}`, connectTimeoutMs: 5_000, sessionTimeoutMs: SESSION_MS, logger: quietLogger });
  t.after(() => client.close());
  const states: ConnectionState[] = [];
  client.onState((state) => states.push(state));
  const session = client.sessionId;
  /** Arms the loss; `fired()` tells whether it happened. */
  const arm = (at: LossPoint, matches: (request: ZkRequestSeen) => boolean): (() => ZkRequestSeen | undefined) => {
    let seen: ZkRequestSeen | undefined;
    void proxy.loseConnectionAt(at, matches).then((request) => (seen = request));
    return () => seen;
  };
  /** The connection was lost and came back on the same session. */
  const assertSessionSurvived = (): void => {
    assert.deepEqual(states, ["suspended", "connected"], "the client lost its connection once and reconnected");
    assert.equal(client.sessionId, session, "the session survived the lost connection");
  };
  const lock = new ZkLock(client, LOCK, { directory: { kind: "below", floor: P.nodePath(NODE) } });
  return { zk, client, lock, arm, assertSessionSurvived };
}

/** The lock directory, read by the independent session, holds exactly our one contender, owned by our session. */
async function assertOnlyOurContender(zk: { client: ZkClient }, client: ZkClient, lock: ZkLock): Promise<void> {
  const name = lock.contenderName ?? assert.fail("the lock knows no contender of its own");
  const prefix = name.slice(0, name.indexOf("__lock__") + "__lock__".length);
  const children = await zk.client.getChildren(LOCK);
  assert.deepEqual(children, [name], "exactly one contender, ours");
  assert.equal(children.filter((child) => child.startsWith(prefix)).length, 1);
  const stat = await zk.client.exists(`${LOCK}/${name}`);
  assert.equal(stat?.ephemeralOwner, client.sessionId, "the contender belongs to our session");
}

/** Matches the n-th request `matches` accepts (from 1). */
function nth(n: number, matches: (request: ZkRequestSeen) => boolean): (request: ZkRequestSeen) => boolean {
  let seen = 0;
  return (request) => matches(request) && ++seen === n;
}

/** `create`: the contender create (1st or 2nd) at which the connection is lost. */
const acquireCases: { name: string; lockDirectory: boolean; at: LossPoint; create: 1 | 2 }[] = [
  { name: "the create applied and its reply lost: the contender is adopted, not duplicated", lockDirectory: true, at: "reply", create: 1 },
  { name: "the create lost before it reached ZooKeeper: one contender is created", lockDirectory: true, at: "request", create: 1 },
  { name: "fresh lock, the create after making the directory applied and its reply lost: the contender is adopted", lockDirectory: false, at: "reply", create: 2 },
  { name: "fresh lock, the reply refusing the first create lost: the directory is made and one contender created", lockDirectory: false, at: "reply", create: 1 },
  { name: "fresh lock, the first create lost before it reached ZooKeeper: the directory is made and one contender created", lockDirectory: false, at: "request", create: 1 },
];

for (const { name, lockDirectory, at, create } of acquireCases) {
  test(`acquire: ${name}`, async (t) => {
    const { zk, client, lock, arm, assertSessionSurvived } = await setup(t, { lockDirectory });
    const fired = arm(at, nth(create, isContenderCreate));
    // Bounded: an orphan contender of ours would make us wait behind it forever.
    assert.equal(await lock.acquire({ timeoutMs: 5_000 }), true, "the lock was taken");
    assert.ok(fired(), "the connection was lost at the contender's create");
    assertSessionSurvived();
    assert.equal(lock.held, true);
    await assertOnlyOurContender(zk, client, lock);
    assert.match(lock.contenderName ?? "", /__lock__0000000000$/, "ZooKeeper applied one contender create in all");
    await lock.release();
    assert.deepEqual(await zk.client.getChildren(LOCK), [], "released: no contender left");
  });
}

for (const at of ["reply", "request"] as const) {
  const applied = at === "reply";
  const name = applied
    ? "the transaction applied and its reply lost: the call fails, our contender is withdrawn and the write stays"
    : "the transaction lost before it reached ZooKeeper: the call fails and nothing was written";
  test(`acquireFresh: ${name}`, async (t) => {
    const { zk, lock, arm, assertSessionSurvived } = await setup(t, { lockDirectory: false });
    const fired = arm(at, (request) => request.type === ZK_OP.multi);
    const building = { ...newNode({ state: "building", provider: "p" }), id: NODE };
    await assert.rejects(lock.acquireFresh([storeNodeOp(building)]), ConnectionLossError, "the caller cannot know the outcome");
    assert.ok(fired(), "the connection was lost at the transaction");
    assertSessionSurvived();
    assert.equal(lock.held, false);
    assert.equal(lock.contenderName, undefined);
    if (applied) assert.deepEqual(await zk.client.getChildren(LOCK), [], "the transaction made the lock directory; our contender was withdrawn");
    else assert.equal(await zk.client.exists(LOCK), null, "no lock directory: nothing of the transaction was applied");
    assert.equal((await zk.getNode(NODE))?.state, applied ? "building" : "init", "the write inside the transaction: all or nothing");
  });
}
