import { test } from "node:test";
import assert from "node:assert/strict";
import { readConfigSource } from "../../../engine/config-source.ts";
import { observeOnce, planEntries, planObservation, renderPlan } from "../../../engine/plan-view/index.ts";
import type { NodepoolConfig } from "../../../schema/index.ts";
import { asRequestId } from "../../../engine/zk/ids.ts";
import { MIN_READY_REQUESTOR, newRequest, withRequestState } from "../../../engine/zk/records/request.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { startLauncher } from "../launcher/fixtures.ts";
import { seedState, treeSnapshot, writeInstall, zuulRequest } from "./_setup.ts";

async function loadConfig(path: string, securePath: string): Promise<NodepoolConfig> {
  const result = await readConfigSource(path, { securePath });
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  return result.config;
}

test("one observation plans what a launcher and a builder started now would do, and writes nothing", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 2, images: true });
  const config = await loadConfig(install.configPath, install.securePath);
  const seeded = await seedState(zk, await connectAnother());
  const before = await treeSnapshot(zk);

  const observation = await observeOnce(zk, config, { identity: { hostname: "planner", pid: 1 } });
  const { launcher, builder } = planObservation(observation);
  const entries = planEntries(launcher, builder);
  const lines = entries.map((e) => `${e.group} ${e.marker} ${e.summary} (${e.reason})`);

  assert.deepEqual(await treeSnapshot(zk), before, "plan wrote to ZooKeeper");
  assert.ok(lines.includes(`cloud-a - delete node ${seeded.used} (node is used)`), lines.join("\n"));
  assert.ok(lines.includes(`cloud-a - delete node ${seeded.oldReady} (max-ready-age 1h exceeded: delete)`), lines.join("\n"));
  assert.ok(lines.includes("all providers + request 1 small node (min-ready 2, 1 ready: launch 1)"), lines.join("\n"));
  assert.ok(lines.includes("images + build fake-image (rebuild-age 24h exceeded)"), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith("images - delete build fake-image-") && l.endsWith("(not among the two newest ready builds)")), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith(`cloud-b - delete upload ${seeded.upload} of fake-image-`) && l.endsWith("(provider diskimages is empty)")), lines.join("\n"));
  assert.ok(!lines.some((l) => l.includes(`node ${seeded.lockedUsed}`)), `a node locked by another process is left alone:\n${lines.join("\n")}`);
  assert.match(renderPlan(entries), /^Provider cloud-a:\n/);
});

test("a request is planned onto a ready node before a launch", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 0, images: false });
  const config = await loadConfig(install.configPath, install.securePath);
  const seeded = await seedState(zk, await connectAnother());
  const first = await zuulRequest(zk);
  const second = await zuulRequest(zk);
  const { launcher } = planObservation(await observeOnce(zk, config));
  const lines = planEntries(launcher, []).map((e) => `${e.group} ${e.marker} ${e.summary} (${e.reason})`);
  assert.deepEqual(lines.slice(0, 2), [
    `cloud-a ~ accept request ${first} in pool cloud-a-main: reuse ${seeded.oldReady} (zuul asks for small)`,
    `cloud-a + accept request ${second} in pool cloud-a-main: launch small (zuul asks for small)`,
  ]);
});

test("a min-ready top-up another launcher is serving is not planned again", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 1, images: false });
  const config = await loadConfig(install.configPath, install.securePath);
  const daemon = await connectAnother();
  const submitted = await daemon.submitNodeRequest(newRequest({ nodeTypes: ["small"], requestor: MIN_READY_REQUESTOR, reuse: false }));
  const { lock, record } = await daemon.lockNodeRequest(asRequestId(submitted.id ?? ""));
  await daemon.storeNodeRequest(withRequestState(record, "pending"), lock);
  const { launcher } = planObservation(await observeOnce(zk, config));
  assert.deepEqual(launcher, []);
});

test("with a launcher running and settled, plan has nothing to add", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 2, images: false, provider: "cloud-settled" });
  const config = await loadConfig(install.configPath, install.securePath);
  await startLauncher(t, await connectAnother(), config);
  await waitFor("two ready nodes", async () => (await zk.getNodes()).filter((n) => n.state === "ready" && n.allocatedTo === null).length === 2 && (await zk.getNodeRequests()).length === 0);
  const before = await treeSnapshot(zk);
  const { launcher, builder } = planObservation(await observeOnce(zk, config));
  assert.deepEqual([...launcher, ...builder], []);
  assert.deepEqual(await treeSnapshot(zk), before);
});

test("a config whose state is reached plans nothing", async (t) => {
  const { zk } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 0, images: false });
  const config = await loadConfig(install.configPath, install.securePath);
  const { launcher, builder } = planObservation(await observeOnce(zk, config));
  assert.deepEqual([...launcher, ...builder], []);
  assert.equal(renderPlan(planEntries(launcher, builder)), "No changes.\n");
});

test("a malformed request is planned to be failed, with why", async (t) => {
  const { zk } = await zkForTest(t);
  const install = await writeInstall(t, { minReady: 0, images: false });
  const config = await loadConfig(install.configPath, install.securePath);
  const id = asRequestId("200-0000000042");
  await zk.client.ensurePath("/nodepool/requests");
  await zk.client.create(`/nodepool/requests/${id}`, "{broken");
  const { launcher } = planObservation(await observeOnce(zk, config));
  const lines = planEntries(launcher, []).map((e) => `${e.marker} ${e.summary} (${e.reason})`);
  assert.ok(lines.some((l) => l.startsWith(`~ fail malformed request ${id} (/nodepool/requests/${id}: not valid JSON`)), lines.join("\n"));
});
