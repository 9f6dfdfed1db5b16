/**
 * The static driver through the real launcher, ZooKeeper and sshd (behaviour.md §3B,
 * scenarios 92–102): registration, config changes, use and re-registration, liveness, hosts
 * going down and coming back, host key checks, a static and a cloud provider side by side.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { pino } from "pino";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import type { Launcher } from "../../../engine/launcher/launcher.ts";
import { observeOnce, planEntries, planObservation } from "../../../engine/plan-view/index.ts";
import { loadNodeList } from "../../../engine/status/node-list.ts";
import type { NodeId } from "../../../engine/zk/ids.ts";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import type { NodeRecord } from "../../../engine/zk/records/node.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { nodepoolConfigSchema, type NodepoolConfig } from "../../../schema/index.ts";
import { SshdHost, sshdHosts } from "../../helpers/sshd.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";
import { config as cloudConfig, requestState, startLauncher } from "./fixtures.ts";

type StaticNode = Record<string, unknown> & { name: string };

const LABELS = [{ name: "fake-label" }, { name: "fake-label2" }, { name: "fake-concurrent-label" }];
const zuul = { requestor: "zuul-test" };
/** Hosts answer again within a fraction of a second in these tests; idle ones are probed every 60 s as in production. */
const providerContext = { hostCheckPolicy: { livenessIntervalMs: 60_000, retryBaseMs: 100 } };

function node(sshd: SshdHost, fields: Record<string, unknown> = {}): StaticNode {
  return { name: sshd.address, labels: ["fake-label"], "connection-port": sshd.port, ...fields };
}

function staticConfig(nodes: StaticNode[]): NodepoolConfig {
  return nodepoolConfigSchema.parse({
    labels: LABELS,
    providers: [{ name: "static-provider", driver: "static", pools: [{ name: "main", nodes }] }],
  });
}

async function start(t: TestContext, zk: NodepoolZk, cfg: NodepoolConfig, log = quietLogger): Promise<Launcher> {
  return startLauncher(t, zk, cfg, process.pid, { log, providerContext });
}

async function staticNodes(zk: NodepoolZk, states: readonly string[] = ["ready"]): Promise<Array<NodeRecord & { id: NodeId }>> {
  return (await zk.getNodes()).filter((n) => n.provider === "static-provider" && states.includes(n.state)).map((n) => ({ ...n, id: n.id! }));
}

/** Waits until the provider's records in `states` satisfy `check`; returns them. */
async function nodesWhere(zk: NodepoolZk, what: string, check: (nodes: Array<NodeRecord & { id: NodeId }>) => boolean, states: readonly string[] = ["ready"]) {
  return waitFor(what, async () => {
    const nodes = await staticNodes(zk, states);
    return check(nodes) ? nodes : undefined;
  }, 15_000);
}

/** Takes a fulfilled request's nodes as Zuul does (lock, in-use) and later returns them as used. */
async function takeNodes(zk: NodepoolZk, ids: readonly string[]) {
  const held = await Promise.all(ids.map((id) => zk.lockNode(id as NodeId)));
  for (const { record, lock } of held) await zk.storeNode({ ...record, state: "in-use" }, lock);
  return async (): Promise<void> => {
    for (const { record, lock } of held) {
      await zk.storeNode({ ...record, state: "used" }, lock);
      await lock.release();
    }
  };
}

test("registration: one ready record per host with the node's fields and every scanned key (scenarios 92, 96)", async (t) => {
  const [sshd] = await sshdHosts(t, 1);
  const { zk } = await zkForTest(t);
  await start(t, zk, staticConfig([node(sshd!, { labels: ["fake-label", "fake-label2"], "host-key": sshd!.publicKeys[0], timeout: 13, username: "zuul" })]));
  const [record] = await nodesWhere(zk, "the host registered", (nodes) => nodes.length === 1);
  assert.equal(record!.provider, "static-provider");
  assert.equal(record!.pool, "main");
  assert.equal(record!.launcher, "static driver");
  assert.deepEqual(record!.type, ["fake-label", "fake-label2"]);
  assert.equal(record!.hostname, sshd!.address);
  assert.equal(record!.interfaceIp, sshd!.address);
  assert.equal(record!.publicIpv4, sshd!.address);
  assert.equal(record!.username, "zuul");
  assert.equal(record!.connectionPort, sshd!.port);
  assert.equal(record!.connectionType, "ssh");
  assert.deepEqual(record!.hostKeys, [...sshd!.publicKeys].sort());
  assert.equal(record!.externalId, null);
});

test("config changes: hosts added and removed, max-parallel-jobs raised and lowered, attributes updated in place (scenarios 93–95)", async (t) => {
  const [one, two] = await sshdHosts(t, 2, { keyTypes: ["ed25519"] });
  // The same host answering on 5986 too, for the change to winrm on that port.
  const winrm = await SshdHost.create({ address: one!.address, port: 5986, keyTypes: ["ed25519"] });
  t.after(() => winrm.dispose());
  await winrm.start();
  const { zk } = await zkForTest(t);
  const launcher = await start(t, zk, staticConfig([node(one!)]));
  const [first] = await nodesWhere(zk, "host one registered", (nodes) => nodes.length === 1);

  await launcher.reconfigure(staticConfig([node(one!), node(two!)]));
  await nodesWhere(zk, "both hosts registered", (nodes) => nodes.length === 2);
  await launcher.reconfigure(staticConfig([node(one!)]));
  const back = await nodesWhere(zk, "host two deregistered", (nodes) => nodes.length === 1, ["ready", "deleting"]);
  assert.equal(back[0]!.hostname, one!.address);
  assert.equal(back[0]!.id, first!.id, "the remaining host's record is untouched");

  await launcher.reconfigure(staticConfig([node(one!, { "max-parallel-jobs": 2 })]));
  const doubled = await nodesWhere(zk, "two slots", (nodes) => nodes.length === 2);
  assert.ok(doubled.every((n) => n.hostname === one!.address));
  await launcher.reconfigure(staticConfig([node(one!)]));
  await nodesWhere(zk, "one slot again", (nodes) => nodes.length === 1, ["ready", "deleting"]);

  await launcher.reconfigure(staticConfig([node(one!, { labels: ["fake-label", "fake-label2"], username: "admin", "connection-type": "winrm", "connection-port": 5986 })]));
  const [updated] = await nodesWhere(
    zk,
    "the record updated",
    (nodes) => nodes.length === 1 && nodes[0]!.connectionType === "winrm" && nodes[0]!.hostKeys.length === 0,
  );
  assert.equal(updated!.id, first!.id, "updated in place, not re-registered");
  assert.deepEqual(updated!.type, ["fake-label", "fake-label2"]);
  assert.equal(updated!.username, "admin");
  assert.equal(updated!.connectionPort, 5986);
});

test("use and re-register: a used node is deleted and its slot registered again; a multi-node request spans two hosts (scenarios 97, 98, 100)", async (t) => {
  const [one, two] = await sshdHosts(t, 2, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  await start(t, zk, staticConfig([node(one!), node(two!, { labels: ["fake-concurrent-label"], "max-parallel-jobs": 2 })]));
  const ready = await nodesWhere(zk, "1 + 2 records", (nodes) => nodes.length === 3);
  const registered = ready.find((n) => n.hostname === one!.address)!;

  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], ...zuul }), 200);
  const fulfilled = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.equal(fulfilled.state, "fulfilled");
  assert.deepEqual(fulfilled.nodes, [registered.id]);
  const giveBack = await takeNodes(zk, fulfilled.nodes);
  await zk.deleteNodeRequest(request.id!);
  await giveBack();
  const again = await nodesWhere(zk, "a new record for host one", (nodes) => nodes.some((n) => n.hostname === one!.address));
  const replacement = again.find((n) => n.hostname === one!.address)!;
  assert.notEqual(replacement.id, registered.id);
  await waitFor("the used record deleted", async () => (await zk.getNode(registered.id)) === null);

  const multi = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label", "fake-concurrent-label"], ...zuul }), 200);
  const both = await requestState(zk, multi.id!, ["fulfilled", "failed"]);
  assert.equal(both.state, "fulfilled");
  assert.equal(both.nodes.length, 2);
  const hosts = await Promise.all(both.nodes.map(async (id) => (await zk.getNode(id as NodeId))!.hostname));
  assert.deepEqual(hosts, [one!.address, two!.address]);
});

test("a request for a label whose host is busy waits, and is served when the node comes back", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  await start(t, zk, staticConfig([node(sshd!)]));
  await nodesWhere(zk, "registered", (nodes) => nodes.length === 1);
  const first = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], ...zuul }), 200);
  const done = await requestState(zk, first.id!, ["fulfilled"]);
  const giveBack = await takeNodes(zk, done.nodes);
  const second = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], ...zuul }), 200);
  await requestState(zk, second.id!, ["pending"]);
  // Still waiting a while later, not failed or declined.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const waiting = (await zk.getNodeRequest(second.id!))!;
  assert.equal(waiting.state, "pending");
  assert.deepEqual(waiting.declinedBy, []);
  await zk.deleteNodeRequest(first.id!);
  await giveBack();
  const served = await requestState(zk, second.id!, ["fulfilled", "failed"]);
  assert.equal(served.state, "fulfilled");
  assert.notDeepEqual(served.nodes, done.nodes);
});

test("liveness: a dead host's node is deleted instead of handed out; once the host answers the request is served with a new node (scenario 101)", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  await start(t, zk, staticConfig([node(sshd!)]), log);
  const [registered] = await nodesWhere(zk, "registered", (nodes) => nodes.length === 1);
  await sshd!.stop();
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], ...zuul }), 200);
  await waitFor("the dead host's node deleted", async () => (await zk.getNode(registered!.id)) === null);
  const pending = (await zk.getNodeRequest(request.id!))!;
  assert.equal(pending.state, "pending", "the request waits for the host");
  await sshd!.start();
  const served = await requestState(zk, request.id!, ["fulfilled", "failed"]);
  assert.equal(served.state, "fulfilled");
  assert.notDeepEqual(served.nodes, [registered!.id]);
  const down = lines.filter((l) => l.msg === "static host does not answer: not registered, retrying with backoff");
  assert.equal(down.length, 1, "logged once while down, whatever the retries");
  assert.equal(down[0]!.host, sshd!.address);
  assert.equal(lines.filter((l) => l.msg === "static host answers again").length, 1);
});

test("a host down at start is not registered and is registered once it answers", async (t) => {
  const [up, down] = await sshdHosts(t, 2, { keyTypes: ["ed25519"] });
  await down!.stop();
  const { zk } = await zkForTest(t);
  await start(t, zk, staticConfig([node(up!), node(down!)]));
  await nodesWhere(zk, "the live host registered", (nodes) => nodes.length === 1 && nodes[0]!.hostname === up!.address);
  await down!.start();
  await nodesWhere(zk, "both registered", (nodes) => nodes.length === 2);
});

test("a host whose configured host key it does not offer is refused and logged; fixing the key registers it", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const wrong = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKey";
  const launcher = await start(t, zk, staticConfig([node(sshd!, { "host-key": wrong })]), log);
  const refused = await waitFor("the mismatch logged", () => lines.find((l) => l.msg === "static host refused: host key mismatch"));
  assert.equal(refused.host, sshd!.address);
  assert.equal(refused.port, sshd!.port);
  assert.deepEqual(refused.expected, [wrong]);
  assert.deepEqual(refused.found, sshd!.publicKeys);
  assert.deepEqual(await staticNodes(zk, ["ready", "deleting"]), []);
  await launcher.reconfigure(staticConfig([node(sshd!, { "host-key": sshd!.publicKeys[0] })]));
  await nodesWhere(zk, "registered with the right key", (nodes) => nodes.length === 1);
});

test("a removed host's in-use node stays until it is returned, then is not registered again", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  const launcher = await start(t, zk, staticConfig([node(sshd!)]));
  await nodesWhere(zk, "registered", (nodes) => nodes.length === 1);
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label"], ...zuul }), 200);
  const done = await requestState(zk, request.id!, ["fulfilled"]);
  const giveBack = await takeNodes(zk, done.nodes);
  await launcher.reconfigure(staticConfig([]));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await zk.getNode(done.nodes[0] as NodeId))?.state, "in-use", "a node in use is not yanked");
  await zk.deleteNodeRequest(request.id!);
  await giveBack();
  await waitFor("the returned node deleted", async () => (await zk.getNode(done.nodes[0] as NodeId)) === null);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(await staticNodes(zk, ["ready", "deleting", "in-use", "used"]), []);
});

test("a record deleted behind the driver's back is registered again (scenario 102)", async (t) => {
  const [one, two] = await sshdHosts(t, 2, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  await start(t, zk, staticConfig([node(one!), node(two!)]));
  const [victim] = await nodesWhere(zk, "two registered", (nodes) => nodes.length === 2);
  await zk.deleteNodeZnode(victim!.id);
  const again = await nodesWhere(zk, "two ready again", (nodes) => nodes.length === 2 && !nodes.some((n) => n.id === victim!.id));
  assert.deepEqual(again.map((n) => n.hostname).sort(), [one!.address, two!.address].sort());
});

test("a static and a cloud provider side by side each serve their own labels (scenario 99)", async (t) => {
  resetFakeClouds();
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  const cloud = cloudConfig();
  const hosts = staticConfig([node(sshd!, { labels: ["fake-label2"] })]);
  const both: NodepoolConfig = {
    ...cloud,
    labels: [...cloud.labels, ...hosts.labels.filter((l) => l.name === "fake-label2")],
    providers: [...cloud.providers, ...hosts.providers],
  };
  await start(t, zk, both);
  await nodesWhere(zk, "the static host registered", (nodes) => nodes.length === 1);
  const forStatic = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label2"], ...zuul }), 200);
  const forCloud = await zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], ...zuul }), 200);
  const [s, c] = await Promise.all([requestState(zk, forStatic.id!, ["fulfilled", "failed"]), requestState(zk, forCloud.id!, ["fulfilled", "failed"])]);
  assert.equal(s.state, "fulfilled");
  assert.equal(c.state, "fulfilled");
  assert.equal((await zk.getNode(s.nodes[0] as NodeId))!.provider, "static-provider");
  assert.equal((await zk.getNode(c.nodes[0] as NodeId))!.provider, "fake-provider");
});

test("nodepool plan shows the registrations and deregistrations a config change causes; nodepool list shows static nodes", async (t) => {
  const [one, two] = await sshdHosts(t, 2, { keyTypes: ["ed25519"] });
  const { zk } = await zkForTest(t);
  await start(t, zk, staticConfig([node(one!)]));
  const [registered] = await nodesWhere(zk, "host one registered", (nodes) => nodes.length === 1);
  const rows = await loadNodeList(zk, { now: Date.now() / 1000 });
  assert.deepEqual(
    rows.map((r) => [r.id, r.provider, r.label, r.state, r.hostname, r.public_ipv4, r.connection_port, r.launcher]),
    [[registered!.id, "static-provider", ["fake-label"], "ready", one!.address, one!.address, one!.port, "static driver"]],
  );

  const changed = staticConfig([node(two!, { "max-parallel-jobs": 2 })]);
  const { launcher } = planObservation(await observeOnce(zk, changed, { identity: { hostname: "planner", pid: 1 } }));
  const lines = planEntries(launcher, []).map((e) => `${e.group} ${e.marker} ${e.summary} (${e.reason})`);
  assert.deepEqual(lines, [
    `static-provider + register 2 nodes for host ${two!.address} in pool main (0 of max-parallel-jobs 2; registered after a host check)`,
    `static-provider - deregister node ${registered!.id} of host ${one!.address} (host ${one!.address} is no longer in pool main of provider static-provider)`,
  ]);
});
