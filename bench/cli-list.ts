/**
 * Benchmark: `nodepool list` over 10,000 node records (target: printed in < 1 s).
 *   NODEPOOL_TEST_ZK=127.0.0.1:22181 node --import tsx bench/cli-list.ts [nodes] [runs]
 * Writes the nodes into a fresh chroot (each with a lock directory, as after a launch; every
 * tenth one locked), then times the built command end to end (process start to exit) and the
 * read-and-render alone in this process. Run `npm run build` first.
 */
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { execa } from "execa";
import { pino } from "pino";
import { NODE_LIST_BASIC_FIELDS, STATUS_LISTINGS } from "../engine/status/index.ts";
import { epochSeconds, NodepoolZk, paths, ZkClient, type NodeId } from "../engine/zk/index.ts";
import { writeReadyNodes } from "./_nodes.ts";

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`);
const count = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 5);
const servers = process.env.NODEPOOL_TEST_ZK ?? "127.0.0.1:22181";
const hosts = `${servers}/nodepool-bench/${randomUUID().replace(/-/g, "")}`;
const logger = pino({ level: "error" });
const zk = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger });

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

try {
  const started = performance.now();
  await zk.client.ensurePath(paths.NODE_ROOT);
  const ids = (await writeReadyNodes(zk, count)).map((node) => node.id as NodeId);
  await Promise.all(ids.map((id) => zk.client.create(paths.nodeLockPath(id))));
  await Promise.all(ids.filter((_, i) => i % 10 === 0).map((id) => zk.client.create(`${paths.nodeLockPath(id)}/${randomUUID().replace(/-/g, "")}__lock__`, "", "ephemeral-sequential")));
  console.log(`wrote ${count} nodes (with lock directories, every tenth locked) in ${((performance.now() - started) / 1000).toFixed(2)} s`);

  const inProcess: number[] = [];
  const inProcessCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const cpu = process.cpuUsage();
    const text = await STATUS_LISTINGS["node-list"].render(zk, { json: false, now: epochSeconds(), fields: NODE_LIST_BASIC_FIELDS });
    inProcess.push(performance.now() - t0);
    const used = process.cpuUsage(cpu);
    inProcessCpu.push((used.user + used.system) / 1000);
    if (text.split("\n").length !== count + 4) throw new Error("the table does not have one row per node");
  }

  const bin = new URL("../bin/nodepool", import.meta.url).pathname;
  const endToEnd: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const result = await execa(bin, ["list", "--zookeeper", hosts]);
    endToEnd.push(performance.now() - t0);
    if (result.stdout.split("\n").length !== count + 4) throw new Error("nodepool list did not print one row per node");
    const t1 = performance.now();
    await execa(bin, ["--version"]);
    version.push(performance.now() - t1);
  }
  console.log(`read and render ${count} nodes in process: median ${median(inProcess).toFixed(0)} ms wall, ${median(inProcessCpu).toFixed(0)} ms CPU, over ${runs} runs`);
  console.log(`nodepool list, process start to exit: median ${median(endToEnd).toFixed(0)} ms over ${runs} runs`);
  console.log(`nodepool --version (process start-up alone): median ${median(version).toFixed(0)} ms`);
} finally {
  zk.close();
  const root = await ZkClient.connect({ hosts: servers, connectTimeoutMs: 10_000, logger });
  await root.deleteRecursive(hosts.slice(servers.length));
  root.close();
}
