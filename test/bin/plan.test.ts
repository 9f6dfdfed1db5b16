import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { nodepool as spawn } from "./commands/_cli.ts";
import { zkForTest } from "../helpers/zk.ts";
import { SECRET, seedState, treeSnapshot, writeInstall } from "../engine/plan-view/_setup.ts";

async function nodepool(args: readonly string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const result = await spawn(args);
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

test("plan prints the grouped actions with reasons, writes nothing, never a secret, and exits 3", async (t) => {
  const { zk, hosts, connectAnother } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 2, images: true });
  const seeded = await seedState(zk, await connectAnother());
  const before = await treeSnapshot(zk);

  const text = await nodepool(["plan", "-c", install.configPath, "-s", install.securePath, "--zookeeper", hosts]);
  assert.equal(text.exitCode, 3, text.stderr);
  const blocks = text.stdout.split("\n\n");
  assert.equal(blocks[0], [
    "Provider cloud-a:",
    `  - delete node ${seeded.used} (node is used)`,
    `  - delete node ${seeded.oldReady} (max-ready-age 1h exceeded: delete)`,
  ].join("\n"));
  assert.match(text.stdout, /\nProvider cloud-b:\n {2}- delete upload \d+ of fake-image-\d+ from cloud-b \(provider diskimages is empty\)\n/);
  assert.match(text.stdout, /\nAll providers:\n {2}\+ request 1 small node \(min-ready 2, 1 ready: launch 1\)\n/);
  assert.match(text.stdout, /\nImages:\n {2}\+ build fake-image \(rebuild-age 24h exceeded\)\n {2}- delete build fake-image-\d+ .*\(not among the two newest ready builds\)\n/);
  assert.match(text.stdout, /\nPlan: 2 to create, 0 to change, 4 to delete\.$/);

  const json = await nodepool(["plan", "-c", install.configPath, "-s", install.securePath, "--zookeeper", hosts, "--json"]);
  assert.equal(json.exitCode, 3, json.stderr);
  const entries = JSON.parse(json.stdout) as Array<{ group: string; marker: string; kind: string; reason: string; node?: string }>;
  assert.deepEqual(
    entries.map((e) => [e.group, e.marker, e.kind]),
    [
      ["all providers", "+", "min-ready"],
      ["cloud-a", "-", "delete-node"],
      ["cloud-a", "-", "mark-deleting"],
      ["images", "+", "build"],
      ["images", "-", "delete-build"],
      ["cloud-b", "-", "delete-upload"],
    ],
  );
  assert.equal(entries.find((e) => e.kind === "mark-deleting")?.node, seeded.oldReady);

  for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) assert.ok(!out.includes(SECRET), "a secret reached the output");
  assert.deepEqual(await treeSnapshot(zk), before, "plan changed the ZooKeeper tree");
});

test("plan of an invalid config exits 1 and says why", async (t) => {
  const { hosts } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 1, images: false });
  const broken = join(install.dir, "broken.yaml");
  await writeFile(broken, "labels:\n  - name: small\n    min_ready: 1\nproviders: []\n");
  const result = await nodepool(["plan", "-c", broken, "--zookeeper", hosts]);
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /unknown key 'min_ready'/);
});

test("apply --wait brings min-ready nodes up, then plan says No changes.", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 2, images: false });

  const applied = await nodepool(["apply", "-c", install.configPath, "--zookeeper", hosts, "--wait", "--timeout", "60"]);
  assert.equal(applied.exitCode, 0, `${applied.stdout}\n${applied.stderr}`);
  const lines = applied.stdout.split("\n");
  assert.ok(lines.includes("started: + request 2 small nodes (min-ready 2, 0 ready: launch 2)"), applied.stdout);
  assert.ok(lines.some((l) => /^waiting for [12] nodes? to become ready \(\d{10}(, \d{10})?\)$/.test(l)), applied.stdout);
  assert.ok(lines.some((l) => /^node \d{10} ready \(small on cloud-a, request 100-\d{10}\)$/.test(l)), applied.stdout);
  for (const kind of [/^started: ~ fulfil request 100-\d{10} with \d{10} \(1 node ready\)$/, /^done: fulfil request 100-\d{10} with \d{10}$/, /^done: complete min-ready request 100-\d{10}$/]) {
    assert.equal(lines.filter((l) => kind.test(l)).length, 2, `${kind}\n${applied.stdout}`);
  }
  assert.match(applied.stdout, /\nApply complete: \d+ actions done, 0 failed\.$/);

  const nodes = await zk.getNodes();
  assert.deepEqual(nodes.map((n) => [n.state, n.type, n.allocatedTo]), [["ready", ["small"], null], ["ready", ["small"], null]]);
  assert.deepEqual(await zk.getNodeRequests(), [], "min-ready requests are completed and removed");

  const plan = await nodepool(["plan", "-c", install.configPath, "--zookeeper", hosts]);
  assert.equal(plan.stdout, "No changes.");
  assert.equal(plan.exitCode, 0, plan.stderr);
  const json = await nodepool(["plan", "-c", install.configPath, "--zookeeper", hosts, "--json"]);
  assert.deepEqual([json.exitCode, JSON.parse(json.stdout)], [0, []]);
  const again = await nodepool(["apply", "-c", install.configPath, "--zookeeper", hosts]);
  assert.deepEqual([again.exitCode, again.stdout], [0, "No changes."]);
});

test("apply lists failed launches and exits 4", async (t) => {
  const { hosts } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 1, images: false });
  const failing = join(install.dir, "failing.yaml");
  await writeFile(failing, (await readFile(install.configPath, "utf8")).replace("boot-delay: 0", "boot-delay: 0\n      launch-failure-rate: 1").replace("driver: fake\n    cloud: fake\n    fake-cloud", "driver: fake\n    launch-retries: 1\n    cloud: fake\n    fake-cloud"));
  const result = await nodepool(["apply", "-c", failing, "--zookeeper", hosts, "--timeout", "60"]);
  assert.equal(result.exitCode, 4, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /\nfailed: node \d{10} \(small on cloud-a, request 100-\d{10}\): launch error\.\w+\n/);
  assert.match(result.stdout, /\nFailed \(\d+\):\n {2}node \d{10} /);
  assert.match(result.stdout, /\nApply incomplete: \d+ actions? done, \d+ failed\.$/);
});

test("apply --timeout ends a launch that takes too long with exit 4 and says what it waited for", async (t) => {
  const { hosts } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 1, images: false });
  const slow = join(install.dir, "slow.yaml");
  await writeFile(slow, (await readFile(install.configPath, "utf8")).replace("boot-delay: 0", "boot-delay: 60"));
  const result = await nodepool(["apply", "-c", slow, "--zookeeper", hosts, "--timeout", "1"]);
  assert.equal(result.exitCode, 4, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /\nTimed out after 1s, still waiting for:\n( {2}.+\n)*? {2}requests being filled \(100-\d{10}\)\n/);
  assert.match(result.stdout, /\nApply incomplete: /);
});

test("apply builds the image with nodepool-image-create, uploads it, and boots min-ready nodes from it", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 1, images: true });
  const dibCmd = new URL("../../bin/nodepool-image-create", import.meta.url).pathname;
  const config = join(install.dir, "images.yaml");
  await writeFile(
    config,
    (await readFile(install.configPath, "utf8"))
      .replace("    rebuild-age: 86400\n", `    rebuild-age: 86400\n    dib-cmd: ${dibCmd}\n    elements: [vm]\n`)
      .replace("cloud-image: precise", "diskimage: fake-image"),
  );
  const result = await nodepool(["apply", "-c", config, "-s", install.securePath, "--zookeeper", hosts, "--wait", "--timeout", "120"]);
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  const lines = result.stdout.split("\n");
  assert.ok(lines.includes("started: + build fake-image (no ready build)"), result.stdout);
  assert.ok(lines.some((l) => /^started: \+ upload fake-image-\d{10} to cloud-a \(qcow2\) /.test(l)), result.stdout);
  assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET), "a secret reached the output");
  const [node] = await zk.getNodes();
  assert.equal(node?.state, "ready");
  assert.match(node?.imageId ?? "", /^\/nodepool\/images\/fake-image\/builds\/\d{10}\/providers\/cloud-a\/images\/\d{10}$/);
  const plan = await nodepool(["plan", "-c", config, "-s", install.securePath, "--zookeeper", hosts]);
  assert.deepEqual([plan.exitCode, plan.stdout], [0, "No changes."]);
});
