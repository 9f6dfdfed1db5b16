import assert from "node:assert/strict";
import { test } from "node:test";
import { ZkClient } from "../../../engine/zk/client.ts";
import { ClientClosedError, ZkError } from "../../../engine/zk/errors.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";

test("bulk reads answer in the order asked, null for what does not exist", async (t) => {
  const { zk } = await zkForTest(t);
  const c = zk.client;
  const count = 2_500;
  await c.ensurePath("/bulk");
  await Promise.all(Array.from({ length: count }, (_, i) => c.create(`/bulk/${i}`, `data ${i}`)));
  await c.create("/bulk/7/child-a");
  await c.create("/bulk/7/child-b");
  const paths = Array.from({ length: count }, (_, i) => `/bulk/${i}`);
  const asked = [...paths.slice(0, 3), "/bulk/missing", ...paths.slice(3)];

  const before = c.operationCount;
  const reads = await c.getMany(asked);
  assert.equal(c.operationCount - before, asked.length, "one request per znode");
  assert.equal(reads.length, asked.length);
  assert.equal(reads[3], null);
  assert.equal(reads[0]?.data.toString(), "data 0");
  assert.equal(reads[asked.length - 1]?.data.toString(), `data ${count - 1}`);
  assert.ok(reads.every((read, i) => i === 3 || read?.data.toString() === `data ${(asked[i] ?? "").slice("/bulk/".length)}`));
  assert.equal(reads[8]?.stat.numChildren, 2, "/bulk/7 with its two children");

  const children = await c.getChildrenMany(["/bulk/7", "/bulk/missing", "/bulk/8"]);
  assert.deepEqual([children[0]?.sort(), children[1], children[2]], [["child-a", "child-b"], null, []]);
  assert.deepEqual(await c.getMany([]), []);
});

test("a bulk read fails as a whole when the client closes under it, and at once on a closed client", async (t) => {
  const { hosts } = await zkForTest(t);
  const client = await ZkClient.connect({ hosts, connectTimeoutMs: 5_000, logger: quietLogger });
  await client.ensurePath("/answered");
  // Closed in the same tick: no answer can have been read, every request is still pending.
  const unanswered = client.getMany(Array.from({ length: 1_500 }, () => "/answered")).then(
    () => "answered",
    (error: unknown) => error,
  );
  client.close();
  const outcome = await waitFor("the unanswered bulk read to settle", () => Promise.race([unanswered, undefined]), 2_000);
  assert.ok(outcome instanceof ZkError, `expected a ZooKeeper error, got ${String(outcome)}`);
  await assert.rejects(client.getChildrenMany(["/answered"]), ClientClosedError);
});
