import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asBuildId, newNode, type NodeId } from "../../../engine/zk/index.ts";
import { zkForTest } from "../../helpers/zk.ts";
import { seedTree } from "../../engine/status/_seed.ts";
import { nodepool, nodepoolOn } from "./_cli.ts";

test("info prints the provider's builds and nodes; --json the same data", async (t) => {
  const { zk, hosts, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const text = await nodepoolOn(hosts, ["info", "fake-provider"]);
  assert.equal(text.exitCode, 0, String(text.stderr));
  const lines = String(text.stdout).split("\n");
  assert.deepEqual(lines.slice(0, 3), ["ZooKeeper data for provider fake-provider", "", "Image builds:"]);
  assert.ok(lines.includes("| fake-image    | 0000000001 |"));
  assert.ok(lines.includes(`| ${seeded.ready.id} | server-a  |`));
  const json = await nodepoolOn(hosts, ["info", "other-provider", "--json"]);
  assert.deepEqual(JSON.parse(String(json.stdout)).nodes, [{ id: seeded.used.id, server_id: "server-b" }]);
});

test("erase asks first: anything but y aborts; --force erases builds and nodes", async (t) => {
  const { zk, hosts, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const aborted = await nodepoolOn(hosts, ["erase", "other-provider"], { input: "n\n" });
  assert.equal(aborted.exitCode, 0);
  assert.equal(String(aborted.stdout), "\nWARNING! This action is not reversible!\nErase ZooKeeper data for provider other-provider? [N/y] Aborting. No data erased.");
  assert.notEqual(await zk.getNode(seeded.used.id), null);

  const confirmed = await nodepoolOn(hosts, ["erase", "other-provider"], { input: "y\n" });
  assert.match(String(confirmed.stdout), /\[N\/y\] Erasing build data for other-provider\.\.\.\nErasing node data for other-provider\.\.\.$/);
  assert.equal(await zk.getNode(seeded.used.id), null, "locked nodes are erased too");
  assert.deepEqual(await zk.getBuildProviders("fake-image", asBuildId("0000000001")), ["fake-provider"]);

  const forced = await nodepoolOn(hosts, ["erase", "fake-provider", "--force", "--json"]);
  assert.deepEqual(JSON.parse(String(forced.stdout)), { provider: "fake-provider", erased: true, builds: ["fake-image-0000000001"], nodes: [seeded.ready.id] });
});

test("delete marks the node deleting and prints its row; an unknown id says so", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const node = await zk.storeNode(newNode({ state: "ready", provider: "p", type: ["l"] }));
  const id = node.id as NodeId;
  const deleted = await nodepoolOn(hosts, ["delete", id]);
  assert.equal(deleted.exitCode, 0, String(deleted.stderr));
  assert.match(String(deleted.stdout).split("\n")[3] ?? "", new RegExp(`^\\| ${id} \\| p +\\| l +\\| None +\\| None +\\| None \\| deleting \\| .* \\| unlocked \\|$`));
  assert.equal((await zk.getNode(id))?.state, "deleting");
  const missing = await nodepoolOn(hosts, ["delete", "0000000999"]);
  assert.equal(missing.exitCode, 0);
  assert.equal(String(missing.stdout), "Node id 0000000999 not found");
});

test("delete --now runs the deletion with the config's driver", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const dir = await mkdtemp(join(tmpdir(), "nodepool-delete-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const [server, chroot] = [hosts.slice(0, hosts.indexOf("/")), hosts.slice(hosts.indexOf("/"))];
  const [host, port] = server.split(":");
  const config = join(dir, "nodepool.yaml");
  await writeFile(
    config,
    [
      "zookeeper-servers:",
      `  - host: ${host}`,
      `    port: ${port}`,
      `    chroot: ${chroot}`,
      "labels:",
      "  - name: l",
      "providers:",
      "  - name: fake-provider",
      "    driver: fake",
      "    cloud: fake",
      "    cloud-images:",
      "      - name: img",
      "    pools:",
      "      - name: main",
      "        labels:",
      "          - name: l",
      "            cloud-image: img",
      "            min-ram: 1",
      "",
    ].join("\n"),
  );
  const node = await zk.storeNode(newNode({ state: "used", provider: "fake-provider", type: ["l"], externalId: "gone-already" }));
  const elsewhere = await zk.storeNode(newNode({ state: "used", provider: "elsewhere", type: ["l"] }));
  const now = await nodepool(["delete", node.id as string, "--now", "-c", config]);
  assert.equal(now.exitCode, 0, String(now.stderr));
  assert.equal(String(now.stdout).split("\n").length, 4, "an empty table once deleted");
  assert.equal(await zk.client.exists(`/nodepool/nodes/${node.id}`), null);
  const other = await nodepool(["delete", elsewhere.id as string, "--now", "-c", config]);
  assert.equal(String(other.stdout), `Provider elsewhere for node ${elsewhere.id} not defined on this launcher`);
  assert.equal((await zk.getNode(elsewhere.id as NodeId))?.state, "used");
});

test("hold sets a node to hold with the reason as comment", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const node = await zk.storeNode(newNode({ state: "ready", provider: "p", type: ["l"] }));
  const held = await nodepoolOn(hosts, ["hold", node.id as string, "--reason", "looking at a failure", "--json"]);
  assert.equal(held.exitCode, 0, String(held.stderr));
  const [row] = JSON.parse(String(held.stdout)) as { state: string; comment: string }[];
  assert.equal(row?.state, "hold");
  assert.equal((await zk.getNode(node.id as NodeId))?.comment, "looking at a failure");
  await zk.storeNode({ ...(await zk.getNode(node.id as NodeId))!, state: "deleting" });
  const refused = await nodepoolOn(hosts, ["hold", node.id as string]);
  assert.equal(refused.exitCode, 1);
  assert.match(String(refused.stderr), /is deleting and cannot be held/);
});

test("delete removes a malformed node's record and says so; hold refuses it with exit 1", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  await zk.client.createWithParents("/nodepool/nodes/0000009001", "{not json", "persistent");
  await zk.client.createWithParents("/nodepool/nodes/0000009002", JSON.stringify({ state: "ready", state_time: "yesterday" }), "persistent");

  const refused = await nodepoolOn(hosts, ["hold", "0000009001"]);
  assert.equal(refused.exitCode, 1);
  assert.match(String(refused.stderr), /^nodepool: node 0000009001 cannot be held: its record cannot be read \(\/nodepool\/nodes\/0000009001: not valid JSON .*\); remove it with nodepool delete 0000009001$/m);
  assert.notEqual(await zk.client.exists("/nodepool/nodes/0000009001"), null);

  const deleted = await nodepoolOn(hosts, ["delete", "0000009001"]);
  assert.equal(deleted.exitCode, 0, String(deleted.stderr));
  assert.match(String(deleted.stdout), /^Node id 0000009001 is malformed \(\/nodepool\/nodes\/0000009001: not valid JSON .*\): its record is deleted; a server it had is left to the launchers' leaked-instance cleanup$/);
  const now = await nodepoolOn(hosts, ["delete", "--now", "0000009002", "--json"]);
  assert.equal(now.exitCode, 0, String(now.stderr));
  assert.equal(String(now.stdout), "[]");
  assert.match(String(now.stderr), /^Node id 0000009002 is malformed \(.*invalid node record at "state_time".*\): its record is deleted/m);
  assert.deepEqual(await zk.client.getChildren("/nodepool/nodes"), []);

  const again = await nodepoolOn(hosts, ["delete", "0000009001"]);
  assert.equal(again.exitCode, 0);
  assert.equal(String(again.stdout), "Node id 0000009001 not found");
});
