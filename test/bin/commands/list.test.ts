import { test } from "node:test";
import assert from "node:assert/strict";
import { zkForTest } from "../../helpers/zk.ts";
import { seedTree } from "../../engine/status/_seed.ts";
import { nodepoolOn } from "./_cli.ts";

test("list: 9 columns, --detail 18, --json the /node-list objects, locked nodes marked", async (t) => {
  const { zk, hosts, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const plain = await nodepoolOn(hosts, ["list"]);
  assert.equal(plain.exitCode, 0, String(plain.stderr));
  const lines = String(plain.stdout).split("\n");
  assert.match(lines[1] ?? "", /^\| ID         \| Provider       \| Label      \| Server ID \| Public IPv4 \| IPv6 \| State  \| Age +\| Locked   \|$/);
  assert.match(lines[3] ?? "", new RegExp(`^\\| ${seeded.ready.id} \\| fake-provider  \\| fake-label \\| server-a  \\| fake        \\|      \\| ready  \\| \\d+:\\d\\d:\\d\\d:\\d\\d \\| unlocked \\|$`));
  assert.match(lines[4] ?? "", /\| other-provider \| a,b +\| server-b +\| None +\| None \| in-use \| .* \| locked +\|$/);
  assert.equal(lines.length, 6);

  const detail = await nodepoolOn(hosts, ["list", "--detail"]);
  assert.equal(String(detail.stdout).split("\n")[1]?.split("|").length, 20);
  assert.match(String(detail.stdout), /\| Hold Job +\| Comment \|/);
  assert.match(String(detail.stdout), /\| t p j \.\* +\| kept +\|/);

  const json = await nodepoolOn(hosts, ["list", "--json"]);
  const rows = JSON.parse(String(json.stdout)) as { id: string; locked: string; label: string[] }[];
  assert.deepEqual(rows.map((r) => [r.id, r.locked, r.label]), [
    [seeded.ready.id, "unlocked", ["fake-label"]],
    [seeded.used.id, "locked", ["a", "b"]],
  ]);
});

test("request-list, label-list, image-list and dib-image-list print their tables and JSON", async (t) => {
  const { zk, hosts, connectAnother } = await zkForTest(t);
  await seedTree(zk, await connectAnother());
  const [requests, labels, images, builds, buildsJson] = await Promise.all([
    nodepoolOn(hosts, ["request-list"]),
    nodepoolOn(hosts, ["label-list", "--json"]),
    nodepoolOn(hosts, ["image-list"]),
    nodepoolOn(hosts, ["dib-image-list"]),
    nodepoolOn(hosts, ["dib-image-list", "--json"]),
  ]);
  assert.equal(String(requests.stdout).split("\n")[1], "| Request ID     | Priority | State     | Requestor | Node Types   | Nodes | Declined By |");
  assert.match(String(requests.stdout), /\| 200-0000000000 \| 3 +\| requested \| zuul +\| fake-label,a \| +\| l1 +\|/);
  assert.deepEqual(JSON.parse(String(labels.stdout)), [{ label: "a-label" }, { label: "b-label" }, { label: "fake-label" }]);
  assert.match(
    String(images.stdout).split("\n")[1] ?? "",
    /^\| Build ID   \| Upload ID  \| Provider       \| Image      \| Provider Image Name   \| Provider Image ID \| State     \| Age +\|$/,
  );
  assert.match(String(images.stdout), /\| 0000000001 \| 0000000001 \| other-provider \| fake-image \| None +\| None +\| uploading \|/);
  assert.match(String(builds.stdout), /\| ID +\| Image +\| Builder +\| Formats +\| State +\| Age +\|/);
  assert.match(String(builds.stdout), /\| fake-image-0000000001 +\| fake-image +\| builder01 \| qcow2,raw \| ready +\|/);
  assert.deepEqual((JSON.parse(String(buildsJson.stdout)) as { id: string }[]).map((b) => b.id), ["another-image-0000000001", "fake-image-0000000001"]);
});
