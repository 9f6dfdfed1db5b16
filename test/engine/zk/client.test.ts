import assert from "node:assert/strict";
import { test } from "node:test";
import { ZkClient } from "../../../engine/zk/client.ts";
import { NoNodeError, NodeExistsError, ZkConfigError, ZkUnavailableError, SessionExpiredError } from "../../../engine/zk/errors.ts";
import { quietLogger, splitTestHosts, waitFor, zkForTest, zkProxy } from "../../helpers/zk.ts";

test("creates the chroot, makes paths, and reports typed errors", async (t) => {
  const { zk } = await zkForTest(t);
  const c = zk.client;
  await c.ensurePath("/a/b/c");
  assert.notEqual(await c.exists("/a/b/c"), null);
  assert.equal((await c.get("/a/b")).data.length, 0, "directories hold empty data");
  await assert.rejects(c.create("/a/b/c"), NodeExistsError);
  await assert.rejects(c.get("/missing"), NoNodeError);
  const first = await c.create("/a/b/c/x-", "1", "ephemeral-sequential");
  assert.match(first, /^\/a\/b\/c\/x-\d{10}$/, "paths come back relative to the chroot");
  await c.deleteRecursive("/a");
  assert.equal(await c.exists("/a"), null);
});

test("a watcher fires once with the change", async (t) => {
  const { zk } = await zkForTest(t);
  const c = zk.client;
  await c.create("/w", "0");
  const events: string[] = [];
  await c.get("/w", (e) => events.push(`${e.type} ${e.path}`));
  await c.set("/w", "1");
  await c.set("/w", "2");
  await waitFor("the watch event", () => events.length > 0);
  assert.deepEqual(events, ["changed /w"]);
});

test("counts every ZooKeeper request", async (t) => {
  const { zk } = await zkForTest(t);
  const before = zk.operationCount;
  await zk.client.create("/x", "");
  await zk.client.get("/x");
  await zk.client.delete("/x");
  assert.equal(zk.operationCount - before, 3);
});

test("a ZooKeeper that is down fails the connect within the deadline", async () => {
  const started = Date.now();
  await assert.rejects(ZkClient.connect({ hosts: "127.0.0.1:1", connectTimeoutMs: 1500, logger: quietLogger }), (error: unknown) => {
    assert.ok(error instanceof ZkUnavailableError);
    assert.match(error.message, /could not connect to ZooKeeper at 127\.0\.0\.1:1 within 1\.5 s/);
    return true;
  });
  assert.ok(Date.now() - started < 4000);
});

test("session expiry drops ephemerals, reports expired, and opens a new session", async (t) => {
  const { zk } = await zkForTest(t, { sessionTimeoutMs: 4000 });
  const c = zk.client;
  const states: string[] = [];
  c.onState((s) => states.push(s));
  const sessions: string[] = [];
  c.onSession((id) => sessions.push(id));
  const oldSession = c.sessionId;
  await c.create("/eph", "", "ephemeral");
  await c.expireSessionForTest();
  await assert.rejects(c.get("/eph"), SessionExpiredError);
  await waitFor("a new session", () => sessions.length > 0);
  assert.notEqual(c.sessionId, oldSession);
  assert.equal(c.state, "connected");
  assert.equal(await c.exists("/eph"), null, "the old session's ephemeral node is gone");
  assert.ok(states.includes("expired"));
});

test("digest auth is sent on connect, and records stay open to every party", async (t) => {
  const { hosts } = await zkForTest(t);
  const client = await ZkClient.connect({ hosts, connectTimeoutMs: 5000, logger: quietLogger, auth: [{ scheme: "digest", credential: "nodepool:secret" }] });
  t.after(() => client.close());
  await client.create("/authed", "x");
  const other = await ZkClient.connect({ hosts, connectTimeoutMs: 5000, logger: quietLogger });
  t.after(() => other.close());
  assert.equal((await other.get("/authed")).data.toString(), "x");
  await other.set("/authed", "y");
});

test("a request the server never answers fails once its connection is closed, instead of waiting forever", async (t) => {
  const { hosts } = await zkForTest(t);
  const { server, chroot } = splitTestHosts(hosts);
  const proxy = await zkProxy(t, server);
  const client = await ZkClient.connect({ hosts: `${proxy.address}${chroot}`, connectTimeoutMs: 5_000, sessionTimeoutMs: 30_000, logger: quietLogger });
  await client.ensurePath("/answered");
  proxy.silence();
  const unanswered = client.get("/answered").then(
    () => "answered",
    (error: unknown) => error,
  );
  client.close();
  const outcome = await waitFor("the unanswered get to settle", () => Promise.race([unanswered, undefined]), 2_000);
  assert.ok(outcome instanceof Error, `expected an error, got ${String(outcome)}`);
});

test("setServers moves to another server list keeping the session, its ephemerals and its watches working", async (t) => {
  const { hosts, zk } = await zkForTest(t);
  const { server, chroot } = splitTestHosts(hosts);
  const proxy = await zkProxy(t, server);
  const client = await ZkClient.connect({ hosts: `${proxy.address}${chroot}`, connectTimeoutMs: 5_000, logger: quietLogger });
  t.after(() => client.close());
  await client.create("/mine", "", "ephemeral");
  const lost: string[] = [];
  client.onState((state) => state === "expired" && lost.push(state));

  assert.throws(() => client.setServers(`${server}/elsewhere`), ZkConfigError);
  client.setServers(`${server}${chroot}`);
  proxy.cut();
  assert.equal(client.servers, server);
  await client.create("/after-the-move");
  assert.ok(await zk.client.exists("/mine"), "the session, and so its ephemeral node, survived the move");
  assert.ok(await zk.client.exists("/after-the-move"));
  assert.deepEqual(lost, []);
});
