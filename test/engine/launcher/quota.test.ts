/**
 * Quota on a burst (behaviour.md §2.12): requests written all at once never take a pool past
 * max-servers, max-cores or max-ram, nor the cloud past its own limits; the requests that find
 * no room wait and are served as nodes are returned.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import type { LaunchResultClass } from "../../../engine/drivers/driver.ts";
import type { NodepoolConfig } from "../../../schema/index.ts";
import { nodeCache } from "../../../engine/zk/caches.ts";
import type { NodeId, RequestId } from "../../../engine/zk/ids.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, startLauncher } from "./fixtures.ts";

interface Peaks {
  servers: number;
  /** Node records of the pool (any state): what max-servers limits. */
  nodes: number;
  launches: LaunchResultClass[];
  /** Servers taken for leaked: none of the burst's may be (each is deleted with its record). */
  leaks: number;
}

/**
 * Writes `count` single-node requests at once and plays Zuul: each fulfilled request's node is
 * used and returned, and the request deleted, until every request was fulfilled. Watches the
 * cloud's server count at every create and the pool's node records at every change: a leaked
 * server's record (no pool, behaviour.md §2.18) is not the pool's and is counted apart, as a leak.
 */
async function burst(t: TestContext, cfg: NodepoolConfig, count: number): Promise<Peaks> {
  resetFakeClouds();
  const { zk, connectAnother } = await zkForTest(t);
  const cloud = fakeCloud("fake-provider");
  const peaks: Peaks = { servers: 0, nodes: 0, launches: [], leaks: 0 };
  const create = cloud.createServer.bind(cloud);
  cloud.createServer = (options) => {
    const server = create(options);
    peaks.servers = Math.max(peaks.servers, cloud.servers.size);
    return server;
  };
  const watched = nodeCache((await connectAnother()).client, { log: quietLogger });
  const poolNodes = (): number => watched.values().filter((node) => node.pool === "main").length;
  watched.onChange(() => (peaks.nodes = Math.max(peaks.nodes, poolNodes())));
  await watched.start();
  t.after(() => watched.close());
  // A cleanup pass (server listing, leak check) every 20 ms: a deletion racing one is likely.
  const launcher = await startLauncher(t, zk, cfg, process.pid, { cleanupIntervalMs: 20 });
  launcher.events.on("launch", (event) => peaks.launches.push(event.result));
  launcher.events.on("leak", (event) => (peaks.leaks += event.kind === "instances" ? event.count : 0));
  const submitted = await Promise.all(Array.from({ length: count }, () => zk.submitNodeRequest(newRequest({ nodeTypes: ["cloud-label"], requestor: "zuul-test" }), 200)));
  const open = new Set<RequestId>(submitted.map((r) => r.id!));
  while (open.size > 0) {
    const done = await waitFor("a fulfilled request", async () => {
      for (const id of open) {
        const request = await zk.getNodeRequest(id);
        if (request?.state === "failed") throw new Error(`request ${id} failed`);
        if (request?.state === "fulfilled") return request;
      }
      return undefined;
    });
    for (const id of done.nodes) {
      const { lock, record } = await zk.lockNode(id as NodeId);
      await zk.storeNode({ ...record, state: "used" }, lock);
      await lock.release();
    }
    await zk.deleteNodeRequest(done.id!);
    open.delete(done.id!);
  }
  return peaks;
}

test("a burst of 6 requests never takes the pool past max-servers 2, and all are served", async (t) => {
  const peaks = await burst(t, config({ maxServers: 2 }), 6);
  assert.ok(peaks.servers <= 2, `peak of ${peaks.servers} servers`);
  assert.ok(peaks.nodes <= 2, `peak of ${peaks.nodes} node records`);
  assert.equal(peaks.leaks, 0, "a server deleted with its node record was taken for leaked");
  assert.deepEqual(peaks.launches, Array(6).fill("ready"));
});

test("a burst of 3 requests against a cloud of 2 instances launches only what fits: no quota error", async (t) => {
  const peaks = await burst(t, config({ providerKeys: { "fake-cloud": { "boot-delay": 0, "max-instances": 2 } } }), 3);
  assert.ok(peaks.servers <= 2, `peak of ${peaks.servers} servers`);
  assert.deepEqual(peaks.launches, Array(3).fill("ready"));
});

test("max-cores and max-ram hold on a burst (4 cores, 8 GB a node)", async (t) => {
  const cores = await burst(t, config({ poolKeys: { "max-cores": 8 } }), 4);
  assert.ok(cores.servers <= 2 && cores.nodes <= 2, `peak of ${cores.servers} servers, ${cores.nodes} node records under max-cores 8`);
  const ram = await burst(t, config({ poolKeys: { "max-ram": 16384 } }), 4);
  assert.ok(ram.servers <= 2 && ram.nodes <= 2, `peak of ${ram.servers} servers, ${ram.nodes} node records under max-ram 16384`);
  assert.deepEqual([...cores.launches, ...ram.launches], Array(8).fill("ready"));
});
