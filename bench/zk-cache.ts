/**
 * Benchmark: the watched node cache over 10,000 node records (target: loaded in < 2 s).
 *   NODEPOOL_TEST_ZK=127.0.0.1:22181 node --import tsx bench/zk-cache.ts [nodes] [runs]
 * Writes the nodes into a fresh chroot with pipelined creates, then, per run, opens a new
 * client and times the node cache's start until the cache is complete (every record read, decoded and
 * watched), and how fast a change written by another client reaches it.
 */
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { asNodeId, NodepoolZk, nodeCache, withNodeState, ZkClient } from "../engine/zk/index.ts";
import { writeReadyNodes } from "./_nodes.ts";

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`);
const count = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 5);
const servers = process.env.NODEPOOL_TEST_ZK ?? "127.0.0.1:22181";
const chroot = `/nodepool-bench/${randomUUID().replace(/-/g, "")}`;
const hosts = `${servers}${chroot}`;
const logger = pino({ level: "error" });
const writer = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger });
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

try {
  const written = performance.now();
  const first = (await writeReadyNodes(writer, count))[0];
  const writeMs = performance.now() - written;
  console.log(`wrote ${count} node records in ${writeMs.toFixed(0)} ms (${((count / writeMs) * 1000).toFixed(0)} creates/s, pipelined)`);

  const loads: number[] = [];
  const propagation: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const client = await ZkClient.connect({ hosts, connectTimeoutMs: 10_000, logger });
    const opsBefore = client.operationCount;
    const cache = await nodeCache(client).start();
    const loaded = performance.now() - started;
    if (cache.size !== count) throw new Error(`cache holds ${cache.size} of ${count} nodes`);
    loads.push(loaded);
    const target = first;
    if (target?.id === undefined) throw new Error("no node was written");
    const id = asNodeId(target.id);
    const changed = new Promise<void>((resolve) => cache.onChange((c) => c.id === id && resolve()));
    const sent = performance.now();
    await writer.storeNode(withNodeState(target, run % 2 === 0 ? "used" : "ready"));
    await changed;
    propagation.push(performance.now() - sent);
    console.log(`run ${run + 1}: connect + cache load ${loaded.toFixed(0)} ms (${client.operationCount - opsBefore} ZooKeeper requests); change seen after ${(performance.now() - sent).toFixed(1)} ms`);
    cache.close();
    client.close();
  }
  console.log(`median cache load of ${count} nodes: ${median(loads).toFixed(0)} ms (target < 2000 ms); median change propagation ${median(propagation).toFixed(1)} ms`);
} finally {
  writer.close();
  const root = await ZkClient.connect({ hosts: servers, connectTimeoutMs: 10_000, logger });
  await root.deleteRecursive(chroot);
  root.close();
}
