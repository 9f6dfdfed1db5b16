import { test } from "node:test";
import assert from "node:assert/strict";
import {
  loadProviderInfo,
  NODE_LIST_BASIC_FIELDS,
  renderProviderInfo,
  STATUS_LISTINGS,
  UnknownFieldsError,
} from "../../../engine/status/index.ts";
import { newNode } from "../../../engine/zk/index.ts";
import { zkForTest } from "../../helpers/zk.ts";
import { seedTree, T0 } from "./_seed.ts";

const NOW = T0 + 7;

test("node-list: every key in order, label as a list, age formatted, locked probed", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const rows = JSON.parse(await STATUS_LISTINGS["node-list"].render(zk, { json: true, now: NOW })) as Record<string, unknown>[];
  assert.deepEqual(rows[0], {
    id: seeded.ready.id,
    provider: "fake-provider",
    label: ["fake-label"],
    server_id: "server-a",
    public_ipv4: "fake",
    ipv6: "",
    state: "ready",
    age: "00:00:00:07",
    locked: "unlocked",
    pool: "main",
    hostname: "fake-label-fake-provider-0000000000",
    private_ipv4: "fake",
    AZ: "az1",
    connection_port: 22,
    launcher: "nl01-1-PoolWorker.fake-provider-main",
    allocated_to: null,
    hold_job: null,
    comment: null,
  });
  assert.equal(rows[1]?.locked, "locked");
  assert.equal(rows[1]?.age, "01:01:01:08");

  await seeded.lock.release();
  const after = JSON.parse(await STATUS_LISTINGS["node-list"].render(zk, { json: true, now: NOW })) as Record<string, unknown>[];
  assert.equal(after[1]?.locked, "unlocked", "a released lock reads as unlocked");
});

test("node-list text: the 9 plain columns, and node_id restricts to one node or none", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const text = await STATUS_LISTINGS["node-list"].render(zk, { json: false, now: NOW, fields: NODE_LIST_BASIC_FIELDS, nodeId: seeded.used.id });
  assert.equal(
    text,
    [
      "+------------+----------------+-------+-----------+-------------+------+--------+-------------+--------+",
      "| ID         | Provider       | Label | Server ID | Public IPv4 | IPv6 | State  | Age         | Locked |",
      "+------------+----------------+-------+-----------+-------------+------+--------+-------------+--------+",
      `| ${seeded.used.id} | other-provider | a,b   | server-b  | None        | None | in-use | 01:01:01:08 | locked |`,
      "+------------+----------------+-------+-----------+-------------+------+--------+-------------+--------+",
    ].join("\n"),
  );
  assert.equal(await STATUS_LISTINGS["node-list"].render(zk, { json: true, now: NOW, nodeId: "0000009999" }), "[]");
  assert.equal(await STATUS_LISTINGS["node-list"].render(zk, { json: true, now: NOW, nodeId: "../requests" }), "[]");
});

test("image-list and dib-image-list: epoch ages in JSON, formatted in text; failed builds listed", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  await seedTree(zk, await connectAnother());
  const uploads = JSON.parse(await STATUS_LISTINGS["image-list"].render(zk, { json: true, now: NOW })) as unknown[];
  assert.deepEqual(uploads, [
    { id: "0000000001", upload_id: "0000000001", provider: "fake-provider", image: "fake-image", external_name: "fake-image-1700000000", external_id: "img-1", state: "ready", age: T0 + 10 },
    { id: "0000000001", upload_id: "0000000001", provider: "other-provider", image: "fake-image", external_name: null, external_id: null, state: "uploading", age: T0 + 20 },
  ]);
  const text = await STATUS_LISTINGS["image-list"].render(zk, { json: false, now: T0 + 100, fields: ["id", "image", "state", "nope"] });
  assert.deepEqual(text.split("\n").slice(1, 5), [
    "| Build ID   | Image      | State     |",
    "+------------+------------+-----------+",
    "| 0000000001 | fake-image | ready     |",
    "| 0000000001 | fake-image | uploading |",
  ]);
  const builds = JSON.parse(await STATUS_LISTINGS["dib-image-list"].render(zk, { json: true, now: NOW })) as unknown[];
  assert.deepEqual(builds, [
    { id: "another-image-0000000001", image: "another-image", builder: null, formats: [], state: "failed", age: T0 },
    { id: "fake-image-0000000001", image: "fake-image", builder: "builder01", formats: ["qcow2", "raw"], state: "ready", age: T0 },
  ]);
  const dibText = await STATUS_LISTINGS["dib-image-list"].render(zk, { json: false, now: T0 + 61 });
  assert.match(dibText, /\| fake-image-0000000001 +\| fake-image +\| builder01 \| qcow2,raw \| ready +\| 00:00:01:01 \|/);
});

test("request-list and label-list", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  assert.deepEqual(JSON.parse(await STATUS_LISTINGS["request-list"].render(zk, { json: true, now: NOW })), [
    { id: seeded.request, relative_priority: 3, state: "requested", requestor: "zuul", node_types: ["fake-label", "a"], nodes: [], declined_by: ["l1"] },
  ]);
  assert.match(await STATUS_LISTINGS["request-list"].render(zk, { json: false, now: NOW }), /\| 200-0000000000 \| 3 +\| requested \| zuul +\| fake-label,a \| +\| l1 +\|/);
  assert.deepEqual(JSON.parse(await STATUS_LISTINGS["label-list"].render(zk, { json: true, now: NOW })), [
    { label: "a-label" },
    { label: "b-label" },
    { label: "fake-label" },
  ]);
});

test("fields naming no column is refused before reading", async (t) => {
  const { zk } = await zkForTest(t);
  await assert.rejects(STATUS_LISTINGS["label-list"].render(zk, { json: false, now: NOW, fields: ["nope"] }), UnknownFieldsError);
  assert.equal(await STATUS_LISTINGS["label-list"].render(zk, { json: true, now: NOW, fields: ["nope"] }), "[]", "fields does not affect JSON");
});

test("info: the builds with uploads for the provider, and its nodes", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const info = await loadProviderInfo(zk, "fake-provider");
  assert.deepEqual(info, {
    provider: "fake-provider",
    image_builds: [
      { image_name: "another-image", build_ids: [] },
      { image_name: "fake-image", build_ids: ["0000000001"] },
    ],
    nodes: [{ id: seeded.ready.id, server_id: "server-a" }],
  });
  assert.equal(
    renderProviderInfo(info, NOW),
    [
      "ZooKeeper data for provider fake-provider",
      "",
      "Image builds:",
      "+---------------+------------+",
      "| Image Name    | Build IDs  |",
      "+---------------+------------+",
      "| another-image |            |",
      "| fake-image    | 0000000001 |",
      "+---------------+------------+",
      "",
      "Nodes:",
      "+------------+-----------+",
      "| ID         | Server ID |",
      "+------------+-----------+",
      `| ${seeded.ready.id} | server-a  |`,
      "+------------+-----------+",
    ].join("\n"),
  );
});

test("a malformed or data-less node znode is skipped, not fatal", async (t) => {
  const { zk } = await zkForTest(t);
  const good = await zk.storeNode(newNode({ state: "ready", provider: "p" }, T0));
  await zk.client.create("/nodepool/nodes/0000000100", "{not json");
  await zk.client.create("/nodepool/nodes/0000000101", "");
  await zk.client.create("/nodepool/nodes/0000000102", JSON.stringify({ state: "bogus", state_time: T0 }));
  const rows = JSON.parse(await STATUS_LISTINGS["node-list"].render(zk, { json: true, now: NOW })) as { id: string }[];
  assert.deepEqual(rows.map((r) => r.id), [good.id]);
});
