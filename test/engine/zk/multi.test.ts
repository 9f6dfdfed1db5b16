import assert from "node:assert/strict";
import { test } from "node:test";
import { ZkClient } from "../../../engine/zk/client.ts";
import { BadVersionError, MultiOpError, NodeExistsError, NoNodeError, NotEmptyError, ZkOperationError } from "../../../engine/zk/errors.ts";
import { expireSession, quietLogger, splitTestHosts, waitFor, zkForTest } from "../../helpers/zk.ts";

// ZooKeeper's multi (patches/zookeeper-multi.patch, ZkClient.multi): one request, all or nothing.

async function refusal(transaction: Promise<unknown>): Promise<MultiOpError> {
  const error = await transaction.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof MultiOpError, `expected the transaction to be refused, got ${String(error)}`);
  return error;
}

test("a lock directory, an ephemeral-sequential contender in it and a record's data in one transaction", async (t) => {
  const { zk } = await zkForTest(t);
  const client = zk.client;
  await client.create("/record", "old");
  const before = client.operationCount;

  const [directory, contender, set] = await client.multi([
    { op: "create", path: "/record-lock" },
    { op: "create", path: "/record-lock/abc__lock__", data: "launcher-1", mode: "ephemeral-sequential" },
    { op: "set", path: "/record", data: "new" },
  ]);

  assert.equal(client.operationCount - before, 1, "a transaction is one request");
  assert.deepEqual(directory, { op: "create", path: "/record-lock" });
  assert.match(contender.path, /^\/record-lock\/abc__lock__\d{10}$/);
  assert.deepEqual(await client.getChildren("/record-lock"), [contender.path.slice("/record-lock/".length)]);
  const contenderNode = await client.get(contender.path);
  assert.equal(contenderNode.data.toString(), "launcher-1");
  assert.equal(contenderNode.stat.ephemeralOwner, client.sessionId);
  const record = await client.get("/record");
  assert.equal(record.data.toString(), "new");
  assert.equal(set.stat.version, 1);
  assert.equal(set.stat.mzxid, record.stat.mzxid);
});

test("created paths come back without the chroot, as create's do", async (t) => {
  const { hosts, zk } = await zkForTest(t);
  const { server, chroot } = splitTestHosts(hosts);
  const [created] = await zk.client.multi([{ op: "create", path: "/request-", mode: "persistent-sequential" }]);
  assert.match(created.path, /^\/request-\d{10}$/);

  const root = await ZkClient.connect({ hosts: server, connectTimeoutMs: 10_000, logger: quietLogger });
  t.after(() => root.close());
  assert.notEqual(await root.exists(`${chroot}${created.path}`), null, "the znode is inside the chroot");
});

test("a failing version check leaves nothing changed, and the error names the op and why", async (t) => {
  const { zk } = await zkForTest(t);
  const client = zk.client;
  await client.create("/record", "v0");
  await client.set("/record", "v1");

  const error = await refusal(
    client.multi([
      { op: "create", path: "/lock" },
      { op: "set", path: "/other", data: "x" },
      { op: "check", path: "/record", version: 0 },
    ]),
  );

  // The set of a missing znode comes first: the server stops at the first refused op.
  assert.equal(error.index, 1);
  assert.ok(error.cause instanceof NoNodeError);
  assert.equal(error.path, "/other");
  assert.match(error.message, /op 2 of 3.*nothing was changed.*set \/other: no such znode/);
  assert.equal(await client.exists("/lock"), null, "the create before the refused op was rolled back");
  assert.equal((await client.get("/record")).data.toString(), "v1");
});

test("an existing znode refuses the whole transaction with NodeExistsError as the cause", async (t) => {
  const { zk } = await zkForTest(t);
  const client = zk.client;
  await client.create("/taken", "mine");

  const error = await refusal(client.multi([{ op: "set", path: "/taken", data: "theirs" }, { op: "create", path: "/taken" }]));

  assert.equal(error.index, 1);
  assert.ok(error.cause instanceof NodeExistsError);
  assert.match(error.message, /create \/taken: znode already exists/);
  const taken = await client.get("/taken");
  assert.equal(taken.data.toString(), "mine");
  assert.equal(taken.stat.version, 0);
});

test("set with a stale version fails with BadVersionError as the cause", async (t) => {
  const { zk } = await zkForTest(t);
  const client = zk.client;
  const { stat } = await client.get(await client.create("/node", "a"));
  await client.set("/node", "b", stat.version);

  const error = await refusal(client.multi([{ op: "set", path: "/node", data: "c", version: stat.version }]));

  assert.equal(error.index, 0);
  assert.ok(error.cause instanceof BadVersionError);
  assert.equal(error.code, "zk.multi-failed");
  assert.equal((await client.get("/node")).data.toString(), "b");
  const [set] = await client.multi([{ op: "set", path: "/node", data: "c", version: stat.version + 1 }]);
  assert.equal(set.stat.version, stat.version + 2);
});

test("a node, its lock directory and the lock's contender are deleted in one transaction", async (t) => {
  const { zk } = await zkForTest(t);
  const client = zk.client;
  await client.ensurePath("/nodes/0000000001/lock");
  const contender = await client.create("/nodes/0000000001/lock/x__lock__", "", "ephemeral-sequential");
  const { stat } = await client.get("/nodes/0000000001");

  const notEmpty = await refusal(client.multi([{ op: "delete", path: "/nodes/0000000001" }]));
  assert.ok(notEmpty.cause instanceof NotEmptyError);

  const results = await client.multi([
    { op: "check", path: "/nodes/0000000001", version: stat.version },
    { op: "delete", path: contender },
    { op: "delete", path: "/nodes/0000000001/lock" },
    { op: "delete", path: "/nodes/0000000001", version: stat.version },
  ]);

  assert.deepEqual(results, [{ op: "check" }, { op: "delete" }, { op: "delete" }, { op: "delete" }]);
  assert.deepEqual(await client.getChildren("/nodes"), []);
});

test("ephemeral znodes created in a transaction vanish with the session", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const observer = (await connectAnother()).client;
  await zk.client.create("/locks");
  const [contender] = await zk.client.multi([{ op: "create", path: "/locks/c-", mode: "ephemeral-sequential" }]);
  assert.notEqual(await observer.exists(contender.path), null);

  await expireSession(zk.client);

  await waitFor("the contender to vanish with its session", async () => (await observer.exists(contender.path)) === null);
  assert.deepEqual(await observer.getChildren("/locks"), []);
});

test("an invalid path is refused before anything is sent", async (t) => {
  const { zk } = await zkForTest(t);
  const client = zk.client;
  const error = await client.multi([{ op: "create", path: "/fine" }, { op: "delete", path: "no-slash" }]).catch((e: unknown) => e);
  assert.ok(error instanceof ZkOperationError);
  assert.match(error.message, /^multi \/fine and 1 more op: not a valid znode path/);
  assert.equal(await client.exists("/fine"), null);
});
