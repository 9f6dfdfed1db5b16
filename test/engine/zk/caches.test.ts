import assert from "node:assert/strict";
import { test } from "node:test";
import type { CacheChange } from "../../../engine/zk/cache.ts";
import { ImageCache, launcherCache, nodeCache, requestCache, sortedRequests } from "../../../engine/zk/caches.ts";
import { asLauncherId, asNodeId, asRequestId, type NodeId } from "../../../engine/zk/ids.ts";
import { nodePath, requestPath } from "../../../engine/zk/paths.ts";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { newBuild, newUpload, withBuildState } from "../../../engine/zk/records/image.ts";
import { newLauncher } from "../../../engine/zk/records/launcher.ts";
import { encodeNode, newNode, withNodeState, type NodeRecord } from "../../../engine/zk/records/node.ts";
import { encodeRequest, newRequest } from "../../../engine/zk/records/request.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";

/** What ZooKeeper holds, read directly: node id → encoded record. */
async function truth(zk: NodepoolZk): Promise<Map<string, string>> {
  return new Map((await zk.getNodes()).map((n) => [n.id ?? "", encodeNode(n).toString()]));
}

function view(nodes: Iterable<[NodeId, NodeRecord]>): Map<string, string> {
  return new Map([...nodes].map(([id, n]) => [id, encodeNode(n).toString()]));
}

test("the node cache follows creates, updates and deletes, and reports each change", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const writer = await connectAnother();
  const existing = await writer.storeNode(newNode({ provider: "p" }));
  const cache = await nodeCache(zk.client).start();
  t.after(() => cache.close());
  assert.equal(cache.size, 1);
  const changes: CacheChange<NodeRecord, NodeId>[] = [];
  cache.onChange((c) => changes.push(c));
  const created = await writer.storeNode(newNode({ provider: "p", type: ["l"] }));
  const id = asNodeId(created.id ?? "");
  await waitFor("the new node", () => cache.get(id));
  await writer.storeNode(withNodeState(created, "ready"));
  await waitFor("the update", () => cache.get(id)?.state === "ready");
  // A watch set now sees the first change only: the `deleted` write, if deleteNode makes it first.
  let firstChange: (type: string) => void = () => undefined;
  const firstChangeType = new Promise<string>((resolve) => (firstChange = resolve));
  await zk.client.get(nodePath(id), (event) => firstChange(event.type));
  await writer.deleteNode({ ...created, id });
  await waitFor("the removal", () => cache.get(id) === undefined);
  assert.equal(await firstChangeType, "changed", "deleteNode writes `deleted` before removing");
  // Watches are one-shot, so a change followed at once by another may reach the cache as one.
  const kinds = changes.map((c) => c.kind);
  assert.equal(kinds[0], "added");
  assert.ok(kinds.includes("updated"));
  assert.equal(kinds.at(-1), "removed");
  assert.ok(cache.get(asNodeId(existing.id ?? "")));
});

test("data-less node znodes are listed as empty, not as records; malformed ones are skipped", async (t) => {
  const { zk } = await zkForTest(t);
  await zk.client.ensurePath("/nodepool/nodes/0000999999/lock");
  await zk.client.create("/nodepool/nodes/0000999998", "not json");
  const cache = await nodeCache(zk.client).start();
  t.after(() => cache.close());
  assert.equal(cache.size, 0);
  assert.deepEqual(cache.emptyChildren(), ["0000999999"]);
  await zk.client.set("/nodepool/nodes/0000999998", encodeNode(newNode({ provider: "p" })));
  await waitFor("the repaired record", () => cache.get(asNodeId("0000999998")));
});

test("consistent with ZooKeeper after concurrent writers and a session expiry in the middle", async (t) => {
  const { zk, connectAnother } = await zkForTest(t, { sessionTimeoutMs: 4000 });
  const cache = await nodeCache(zk.client).start();
  t.after(() => cache.close());
  const writers = await Promise.all([connectAnother(), connectAnother(), connectAnother()]);
  const work = async (writer: NodepoolZk, seed: number): Promise<void> => {
    const mine: NodeRecord[] = [];
    for (let i = 0; i < 60; i++) {
      const step = (seed * 31 + i * 17) % 5;
      const target = mine[(seed + i) % Math.max(1, mine.length)];
      if (step < 2 || target === undefined) mine.push(await writer.storeNode(newNode({ provider: `p${seed}` })));
      else if (step < 4) await writer.storeNode({ ...target, comment: `c${i}` });
      else {
        await writer.deleteNode({ ...target, id: asNodeId(target.id ?? "") });
        mine.splice(mine.indexOf(target), 1);
      }
    }
  };
  const running = writers.map((w, i) => work(w, i + 1));
  await waitFor("some writes to land", () => cache.size >= 5);
  const before = zk.client.sessionId;
  await zk.client.expireSessionForTest();
  await waitFor("the cache's new session", () => zk.client.state === "connected" && zk.client.sessionId !== before);
  await Promise.all(running);
  const expected = await truth(writers[0] as NodepoolZk);
  await waitFor("the cache to match ZooKeeper", () => {
    const seen = view(cache.entries());
    return seen.size === expected.size && [...expected].every(([id, data]) => seen.get(id) === data);
  });
});

test("request and launcher caches", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const other = await connectAnother();
  const requests = await requestCache(zk.client).start();
  const launchers = await launcherCache(zk.client).start();
  t.after(() => {
    requests.close();
    launchers.close();
  });
  const low = await other.submitNodeRequest(newRequest({ nodeTypes: ["a"] }), 200);
  const high = await other.submitNodeRequest(newRequest({ nodeTypes: ["b"] }), 100);
  await waitFor("both requests", () => requests.size === 2);
  assert.deepEqual(sortedRequests(requests).map((r) => r.id), [high.id, low.id]);
  await other.registerLauncher(newLauncher(asLauncherId("h-1-PoolWorker.p-main"), "p", ["a"]));
  await waitFor("the registration", () => launchers.size === 1);
  other.close();
  await waitFor("ephemerals to vanish with the session", () => requests.size === 0 && launchers.size === 0);
});

test("the image cache follows builds, uploads, build requests and pause markers", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const builder = await connectAnother();
  const first = await builder.storeBuild(newBuild("img", { formats: ["qcow2"] }));
  const cache = await new ImageCache(zk.client).start();
  t.after(() => cache.close());
  assert.deepEqual(cache.images(), ["img"]);
  assert.equal(cache.builds("img").length, 1);
  const changes: string[] = [];
  cache.onChange((c) => changes.push(c.kind));
  const buildId = first.id;
  assert.ok(buildId !== undefined);
  await builder.storeBuild(withBuildState(first, "ready"));
  const upload = await builder.storeUpload(newUpload("img", buildId, "p1", { state: "ready", externalId: "x" }));
  await waitFor("the upload", () => cache.mostRecentUpload("img", "p1")?.externalId === "x");
  assert.equal(cache.build("img", buildId)?.state, "ready");
  await builder.submitBuildRequest("img");
  await builder.setImagePaused("other", true);
  await waitFor("the markers", () => cache.hasBuildRequest("img") && cache.isPaused("other"));
  await builder.deleteBuildProvider("img", buildId, "p1");
  await waitFor("the erased upload", () => cache.uploads("img", buildId, "p1").length === 0);
  assert.ok(changes.includes("build") && changes.includes("upload") && changes.includes("marker"));
  assert.equal(upload.id, "0000000000");
});

test("malformed request records are listed with their reason until repaired or gone; unknown fields are not malformed", async (t) => {
  const { zk } = await zkForTest(t);
  const cache = await requestCache(zk.client).start();
  t.after(() => cache.close());
  const reported: string[] = [];
  cache.onMalformed((id, reason) => reported.push(`${id}: ${reason}`));
  const [bad, wrong, empty, newer] = ["200-0000000001", "200-0000000002", "200-0000000003", "200-0000000004"].map(asRequestId);
  await zk.client.ensurePath("/nodepool/requests");
  await zk.client.create(requestPath(bad!), "{not json");
  await zk.client.create(requestPath(wrong!), JSON.stringify({ state: "requested", state_time: 1, node_types: "ubuntu" }));
  await zk.client.create(requestPath(empty!), "");
  const future = { ...JSON.parse(encodeRequest(newRequest({ nodeTypes: ["ubuntu"] })).toString()), tenant_name: "t", event_id: "e1", labels_v2: { any: 1 } };
  await zk.client.create(requestPath(newer!), JSON.stringify(future));
  // The four are read concurrently: the valid one may come in after the three malformed ones.
  await waitFor("three malformed requests and the newer Zuul's one", () => cache.malformedChildren().size === 3 && cache.get(newer!) !== undefined);
  assert.match(cache.malformedChildren().get(bad!) ?? "", /not valid JSON/);
  assert.match(cache.malformedChildren().get(wrong!) ?? "", /at "node_types"/);
  assert.match(cache.malformedChildren().get(empty!) ?? "", /without data/);
  assert.equal(reported.length, 3);
  assert.deepEqual(cache.get(newer!)?.extra, { tenant_name: "t", event_id: "e1", labels_v2: { any: 1 } });
  await zk.client.set(requestPath(wrong!), encodeRequest(newRequest({ nodeTypes: ["ubuntu"] })));
  await zk.client.delete(requestPath(bad!));
  await waitFor("the repaired and the deleted one no longer listed", () => cache.malformedChildren().size === 1 && cache.get(wrong!));
  assert.deepEqual([...cache.malformedChildren().keys()], [empty]);
});
