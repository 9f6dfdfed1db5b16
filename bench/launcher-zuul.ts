/**
 * Benchmark: the launcher played against as Zuul plays it (issue 4, "Performance").
 *   NODEPOOL_BENCH_ZK=127.0.0.1:22181 node --import tsx bench/launcher-zuul.ts [requests|memory|zk-ceiling] [N...]
 * `requests` (default): a single request on an idle system (10 in a row), then N single-node
 * requests written at once (default N = 200 and 1000), after an unreported warm-up burst of 100
 * (a running launcher is warm). Each request is an ephemeral sequential
 * `100-` znode with Zuul's fields; Zuul's player watches it, and once it is fulfilled checks it
 * still exists, locks the node (kazoo's lock), deletes the request, writes `in-use`, then
 * `used`, and unlocks. Reported: requests/s (N over the time from the first submission to the
 * last fulfilment), p50/p99 of submission-to-fulfilled latency, and the ZooKeeper operations per
 * request of the launcher and of Zuul, counted until every node is deleted again.
 * NODEPOOL_BENCH_PROFILE=DIR writes the launcher process's CPU profile into DIR.
 * `memory`: the launcher's memory with 10,000 node records and 1,000 waiting requests.
 * `zk-ceiling`: ZooKeeper's own ceiling on this machine, one client pipelining N creates, sets
 * and deletes (default 20,000). CPU seconds of the launcher, of Zuul's player and (when `ss`
 * finds the server's pid) of the ZooKeeper server are reported: on a small machine the three
 * share the cores, and their sum per request bounds the throughput.
 * The launcher (fake driver, zero boot delay) runs in a child process of its own, so its CPU is
 * not shared with the Zuul player; each scenario gets a fresh chroot and a fresh launcher.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { pino } from "pino";
import { nodepoolConfigSchema } from "../schema/index.ts";
import { Launcher } from "../engine/launcher/index.ts";
import { createLogger } from "../engine/log.ts";
import { NodeExistsError, NodepoolZk, ZkClient, ZkLock, paths, type MultiOp, type NodeId } from "../engine/zk/index.ts";

const servers = process.env.NODEPOOL_BENCH_ZK ?? process.env.NODEPOOL_TEST_ZK ?? "127.0.0.1:22181";
const logger = pino({ level: "error" });
/** NODEPOOL_BENCH_PROFILE=DIR writes a CPU profile of the launcher process there. */
const profileDir = process.env.NODEPOOL_BENCH_PROFILE;
const LABEL = "small";
const PROVIDER = "bench-cloud";

/** Messages between the benchmark and its launcher process. */
type ToLauncher = { kind: "ops" } | { kind: "memory" } | { kind: "stop" };
type FromLauncher =
  | { kind: "ready"; startMs: number }
  | { kind: "ops"; ops: number; cpuMs: number; passes: number; planMs: number; byKind: Record<string, number> }
  | { kind: "memory"; rssMB: number; heapMB: number; nodes: number; requests: number; passes: number; avgPlanMs: number; maxPlanMs: number };

function launcherConfig(maxServers: number) {
  return nodepoolConfigSchema.parse({
    labels: [{ name: LABEL }],
    providers: [
      {
        name: PROVIDER,
        driver: "fake",
        cloud: "fake",
        rate: 0,
        "fake-cloud": { "boot-delay": 0, "max-instances": -1, "max-cores": -1, "max-ram": -1 },
        "cloud-images": [{ name: "precise", "image-name": "Fake Precise" }],
        pools: [{ name: "main", "max-servers": maxServers, labels: [{ name: LABEL, "cloud-image": "precise", "min-ram": 8192 }] }],
      },
    ],
  });
}

// ---- the launcher process -----------------------------------------------------------------

async function runLauncher(hosts: string, maxServers: number): Promise<void> {
  const send = (message: FromLauncher): void => void process.send?.(message);
  const zk = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger });
  const byKind = countOperations(zk.client);
  // The launcher logs at info as the daemon does (its logger, synchronous writes; to /dev/null), so
  // its figures include that cost.
  const launcherLog = createLogger({ name: "nodepool-launcher", destination: pino.destination({ dest: "/dev/null", sync: true }) });
  const launcher = new Launcher({ zk, config: launcherConfig(maxServers), log: launcherLog });
  let passes = 0;
  let planMs = 0;
  let maxPlanMs = 0;
  launcher.events.on("pass", (event) => {
    passes++;
    planMs += event.planMs;
    maxPlanMs = Math.max(maxPlanMs, event.planMs);
  });
  const started = performance.now();
  await launcher.start();
  send({ kind: "ready", startMs: performance.now() - started });
  process.on("message", (message: ToLauncher) => {
    if (message.kind === "ops") {
      const cpu = process.cpuUsage();
      send({ kind: "ops", ops: zk.operationCount, cpuMs: (cpu.user + cpu.system) / 1000, passes, planMs, byKind: { ...byKind } });
    } else if (message.kind === "memory") {
      globalThis.gc?.();
      const memory = process.memoryUsage();
      const observed = launcher.observe();
      send({
        kind: "memory",
        rssMB: memory.rss / 1e6,
        heapMB: memory.heapUsed / 1e6,
        nodes: observed.nodes.size,
        requests: observed.requests.size,
        passes,
        avgPlanMs: passes === 0 ? 0 : planMs / passes,
        maxPlanMs,
      });
    } else {
      void launcher.stop().finally(() => {
        zk.close();
        process.exit(0);
      });
    }
  });
}

/**
 * Counts the client's requests by method and path shape (ids and lock contenders folded), for
 * the per-request breakdown; the total is the client's own counter.
 */
function countOperations(client: ZkClient): Record<string, number> {
  const counts: Record<string, number> = {};
  const methods = ["create", "get", "exists", "getChildren", "getChildrenWithStat", "set", "delete", "multi"] as const;
  const shape = (path: string): string => path.replace(/[0-9a-f]{32}__lock__\d*/, "<contender>").replace(/\d{3}-\d{10}|\d{10}/g, "<id>");
  for (const method of methods) {
    const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(client, method, {
      value: (...args: unknown[]) => {
        // A transaction is one operation; its key lists what it carries.
        const what = method === "multi" ? `[${(args[0] as MultiOp[]).map((op) => `${op.op} ${shape(op.path)}`).join(", ")}]` : shape(String(args[0]));
        const key = `${method} ${what}`;
        counts[key] = (counts[key] ?? 0) + 1;
        return original(...args);
      },
    });
  }
  return counts;
}

class LauncherProcess {
  private readonly waiting = new Map<string, (message: FromLauncher) => void>();
  private constructor(private readonly child: ChildProcess) {
    child.on("message", (message: FromLauncher) => {
      const resolve = this.waiting.get(message.kind);
      this.waiting.delete(message.kind);
      resolve?.(message);
    });
  }

  static async start(hosts: string, maxServers: number): Promise<{ launcher: LauncherProcess; startMs: number }> {
    const child = fork(fileURLToPath(import.meta.url), ["--launcher", hosts, String(maxServers)], {
      execArgv: [...process.execArgv, "--expose-gc", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const launcher = new LauncherProcess(child);
    const ready = await launcher.receive("ready");
    return { launcher, startMs: ready.startMs };
  }

  private receive<K extends FromLauncher["kind"]>(kind: K, request?: ToLauncher): Promise<Extract<FromLauncher, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the launcher process exited (${code ?? "signal"})`));
      this.child.once("exit", onExit);
      this.waiting.set(kind, (message) => {
        this.child.off("exit", onExit);
        resolve(message as Extract<FromLauncher, { kind: K }>);
      });
      if (request) this.child.send(request);
    });
  }

  ops(): Promise<Extract<FromLauncher, { kind: "ops" }>> {
    return this.receive("ops", { kind: "ops" });
  }

  memory(): Promise<Extract<FromLauncher, { kind: "memory" }>> {
    return this.receive("memory", { kind: "memory" });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ kind: "stop" });
    await exited;
  }
}

// ---- Zuul ---------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** Zuul's side of the handshake (spec/zookeeper.md §4.4), one ZooKeeper session for all requests. */
class Zuul {
  constructor(readonly zk: NodepoolZk) {}

  get client(): ZkClient {
    return this.zk.client;
  }

  /** Submits a single-node request with Zuul's fields and resolves once it is fulfilled. */
  async submit(): Promise<{ id: string; request: Json; latencyMs: number }> {
    const started = performance.now();
    const now = Date.now() / 1000;
    const data = { node_types: [LABEL], requestor: "zuul.bench.example.org", created_time: now, provider: null, state: "requested", state_time: now, relative_priority: 0 };
    const path = await this.client.createWithParents(`${paths.REQUEST_ROOT}/100-`, JSON.stringify(data), "ephemeral-sequential");
    const id = path.slice(path.lastIndexOf("/") + 1);
    const request = await this.watchUntilDone(path);
    if (request.state !== "fulfilled") throw new Error(`request ${id} ${String(request.state)}`);
    return { id, request, latencyMs: performance.now() - started };
  }

  /** A data watch on the request; every change is re-read, and so are the nodes it names. */
  private watchUntilDone(path: string): Promise<Json> {
    return new Promise((resolve, reject) => {
      const read = (): void => {
        this.client.get(path, read).then(async ({ data }) => {
          const request = JSON.parse(data.toString("utf8")) as Json;
          const nodes = (request.nodes as string[] | undefined) ?? [];
          await Promise.all(nodes.map((id) => this.client.get(paths.nodePath(id as NodeId))));
          if (request.state === "fulfilled" || request.state === "failed") resolve(request);
        }, reject);
      };
      read();
    });
  }

  /** Accepts a fulfilled request, runs the "job" and returns the node, as Zuul does. */
  async useAndReturn(id: string, request: Json): Promise<void> {
    const path = `${paths.REQUEST_ROOT}/${id}`;
    if ((await this.client.exists(path)) === null) throw new Error(`request ${id} vanished`);
    const locked: { lock: ZkLock; path: string; data: Json }[] = [];
    for (const node of request.nodes as NodeId[]) {
      const lock = new ZkLock(this.client, paths.nodeLockPath(node), { directory: { kind: "make-path" } });
      if (!(await lock.acquire({ timeoutMs: 30_000 }))) throw new Error(`could not lock node ${node}`);
      const nodePath = paths.nodePath(node);
      const data = JSON.parse((await this.client.get(nodePath)).data.toString("utf8")) as Json;
      if (data.allocated_to !== id) throw new Error(`node ${node} is allocated to ${String(data.allocated_to)}`);
      locked.push({ lock, path: nodePath, data });
    }
    await this.client.delete(path);
    for (const state of ["in-use", "used"]) {
      await Promise.all(locked.map((n) => this.client.set(n.path, JSON.stringify({ ...n.data, state, state_time: Date.now() / 1000, hold_job: null, comment: null }))));
    }
    await Promise.all(locked.map((n) => n.lock.release()));
  }
}

// ---- scenarios ----------------------------------------------------------------------------

/** CPU seconds used so far by the ZooKeeper server listening on the benchmark's port, if found. */
async function zkServerCpu(): Promise<number | null> {
  const port = servers.split(",")[0]?.split(":")[1] ?? "2181";
  try {
    const { stdout } = await execa("ss", ["-ltnpH", `sport = :${port}`]);
    const pid = /pid=(\d+)/.exec(stdout)?.[1];
    if (pid === undefined) return null;
    const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ") ?? [];
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const ownCpu = (): number => {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1e6;
};

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function withChroot<T>(work: (hosts: string) => Promise<T>): Promise<T> {
  const chroot = `/nodepool-bench/launcher-${randomUUID().replace(/-/g, "")}`;
  try {
    return await work(`${servers}${chroot}`);
  } finally {
    const root = await ZkClient.connect({ hosts: servers, connectTimeoutMs: 10_000, logger });
    await root.deleteRecursive(chroot).finally(() => root.close());
  }
}

async function waitNoNodes(zuul: Zuul): Promise<void> {
  for (;;) {
    const left = await new Promise<number>((resolve, reject) => {
      let settled = false;
      const settle = (n: number): void => {
        if (!settled) (settled = true), resolve(n);
      };
      zuul.client.getChildren(paths.NODE_ROOT, () => settle(-1)).then((children) => (children.length === 0 ? settle(0) : undefined), reject);
    });
    if (left === 0) return;
  }
}

async function requestsScenario(counts: readonly number[]): Promise<void> {
  await withChroot(async (hosts) => {
    const { launcher, startMs } = await LauncherProcess.start(hosts, 10 * Math.max(...counts, 1));
    const zuul = new Zuul(await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger }));
    try {
      console.log(`launcher started in ${startMs.toFixed(0)} ms`);
      const singles: number[] = [];
      const singleOps = { launcher: 0, zuul: 0 };
      for (let i = 0; i < 10; i++) {
        const before = { launcher: (await launcher.ops()).ops, zuul: zuul.client.operationCount };
        const { id, request, latencyMs } = await zuul.submit();
        singles.push(latencyMs);
        await zuul.useAndReturn(id, request);
        await waitNoNodes(zuul);
        singleOps.launcher += (await launcher.ops()).ops - before.launcher;
        singleOps.zuul += zuul.client.operationCount - before.zuul;
      }
      const sortedSingles = [...singles].sort((a, b) => a - b);
      console.log(
        JSON.stringify({
          scenario: "single request, idle system (10 in a row)",
          firstMs: Math.round(singles[0] ?? NaN),
          medianMs: Math.round(percentile(sortedSingles, 0.5)),
          maxMs: Math.round(sortedSingles[sortedSingles.length - 1] ?? NaN),
          launcherOpsPerRequest: +(singleOps.launcher / 10).toFixed(1),
          zuulOpsPerRequest: +(singleOps.zuul / 10).toFixed(1),
        }),
      );
      // A running launcher is warm: one unreported burst first, so the JIT has compiled the path.
      await burst(100, launcher, zuul, false);
      for (const n of counts) await burst(n, launcher, zuul);
    } finally {
      zuul.zk.close();
      await launcher.stop();
    }
  });
}

async function burst(n: number, launcher: LauncherProcess, zuul: Zuul, report = true): Promise<void> {
  const before = await launcher.ops();
  const zuulBefore = zuul.client.operationCount;
  const cpuBefore = { zuul: ownCpu(), zk: await zkServerCpu() };
  const started = performance.now();
  let lastFulfilled = 0;
  const latencies = await Promise.all(
    Array.from({ length: n }, async () => {
      const { id, request, latencyMs } = await zuul.submit();
      lastFulfilled = performance.now();
      await zuul.useAndReturn(id, request);
      return latencyMs;
    }),
  );
  const returned = performance.now();
  await waitNoNodes(zuul);
  const deleted = performance.now();
  const after = await launcher.ops();
  const zkAfter = await zkServerCpu();
  if (!report) return;
  latencies.sort((a, b) => a - b);
  const seconds = (lastFulfilled - started) / 1000;
  console.log(
    JSON.stringify({
      scenario: `${n} single-node requests at once`,
      requestsPerS: Math.round(n / seconds),
      p50Ms: Math.round(percentile(latencies, 0.5)),
      p99Ms: Math.round(percentile(latencies, 0.99)),
      allFulfilledS: +seconds.toFixed(2),
      allReturnedS: +((returned - started) / 1000).toFixed(2),
      allDeletedS: +((deleted - started) / 1000).toFixed(2),
      launcherOpsPerRequest: +((after.ops - before.ops) / n).toFixed(1),
      zuulOpsPerRequest: +((zuul.client.operationCount - zuulBefore) / n).toFixed(1),
      launcherCpuS: +((after.cpuMs - before.cpuMs) / 1000).toFixed(2),
      zuulCpuS: +(ownCpu() - cpuBefore.zuul).toFixed(2),
      zkServerCpuS: zkAfter === null || cpuBefore.zk === null ? null : +(zkAfter - cpuBefore.zk).toFixed(2),
      passes: after.passes - before.passes,
      planS: +((after.planMs - before.planMs) / 1000).toFixed(2),
    }),
  );
  if (process.env.NODEPOOL_BENCH_OPS) {
    for (const [key, count] of Object.entries(after.byKind).sort((a, b) => b[1] - a[1])) {
      const per = (count - (before.byKind[key] ?? 0)) / n;
      if (per >= 0.05) console.log(`  ${per.toFixed(2)} ${key}`);
    }
  }
}

async function memoryScenario(nodes: number, requests: number): Promise<void> {
  await withChroot(async (hosts) => {
    const seed = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger });
    try {
      for (const dir of [paths.NODE_ROOT, paths.REQUEST_ROOT]) {
        await seed.client.ensurePath(dir).catch((error: unknown) => {
          if (!(error instanceof NodeExistsError)) throw error;
        });
      }
      const now = Date.now() / 1000;
      // Held nodes fill the pool (max-servers = nodes), so the requests stay waiting.
      for (let i = 0; i < nodes; i += 2_000) {
        await Promise.all(
          Array.from({ length: Math.min(2_000, nodes - i) }, (_, j) => {
            const record = {
              state: "hold", state_time: now, provider: PROVIDER, pool: "main", type: [LABEL], launcher: "bench", cloud: "fake", region: null, az: "az1",
              external_id: randomUUID(), hostname: `small-${PROVIDER}-${i + j}`, public_ipv4: `203.0.113.${(i + j) % 250}`, interface_ip: `203.0.113.${(i + j) % 250}`,
              allocated_to: null, hold_job: "tenant/project/job", comment: "held for debugging", created_time: now, attributes: { "executor-zone": "east" },
            };
            return seed.client.create(`${paths.NODE_ROOT}/`, JSON.stringify(record), "persistent-sequential");
          }),
        );
      }
      const data = JSON.stringify({ node_types: [LABEL], requestor: "zuul.bench.example.org", created_time: now, provider: null, state: "requested", state_time: now, relative_priority: 0 });
      await Promise.all(Array.from({ length: requests }, () => seed.client.create(`${paths.REQUEST_ROOT}/200-`, data, "ephemeral-sequential")));
      const { launcher, startMs } = await LauncherProcess.start(hosts, nodes);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const memory = await launcher.memory();
      console.log(
        JSON.stringify({
          scenario: `launcher memory, ${nodes} nodes + ${requests} waiting requests`,
          startMs: Math.round(startMs),
          cachedNodes: memory.nodes,
          cachedRequests: memory.requests,
          rssMB: Math.round(memory.rssMB),
          heapUsedMB: Math.round(memory.heapMB),
          passes: memory.passes,
          avgPlanMs: +memory.avgPlanMs.toFixed(1),
          maxPlanMs: Math.round(memory.maxPlanMs),
        }),
      );
      await launcher.stop();
    } finally {
      seed.close();
    }
  });
}

/** ZooKeeper's ceiling here: one client, N pipelined creates, then sets, then deletes. */
async function zkCeiling(n: number): Promise<void> {
  await withChroot(async (hosts) => {
    const client = await ZkClient.connect({ hosts, connectTimeoutMs: 10_000, logger });
    try {
      await client.ensurePath("/ceiling");
      const data = JSON.stringify({ state: "ready", type: [LABEL], provider: PROVIDER, hostname: "x".repeat(40) });
      const names = Array.from({ length: n }, (_, i) => `/ceiling/n${i}`);
      const result: Record<string, number | null> = {};
      for (const [op, run] of [
        ["create", (path: string) => client.create(path, data)],
        ["set", (path: string) => client.set(path, data)],
        ["delete", (path: string) => client.delete(path)],
      ] as const) {
        const zk = await zkServerCpu();
        const cpu = ownCpu();
        const started = performance.now();
        await Promise.all(names.map((path) => run(path)));
        const seconds = (performance.now() - started) / 1000;
        const zkAfter = await zkServerCpu();
        result[`${op}PerS`] = Math.round(n / seconds);
        result[`${op}ClientCpuUsPerOp`] = Math.round(((ownCpu() - cpu) / n) * 1e6);
        result[`${op}ServerCpuUsPerOp`] = zk === null || zkAfter === null ? null : Math.round(((zkAfter - zk) / n) * 1e6);
      }
      console.log(JSON.stringify({ scenario: `ZooKeeper ceiling, ${n} pipelined operations of each kind from one client`, ...result }));
    } finally {
      client.close();
    }
  });
}

if (process.argv[2] === "--launcher") {
  await runLauncher(process.argv[3] ?? "", Number(process.argv[4]));
} else {
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores; ZooKeeper ${servers}`);
  const mode = process.argv[2] ?? "requests";
  const numbers = process.argv.slice(3).map(Number);
  if (mode === "memory") await memoryScenario(numbers[0] ?? 10_000, numbers[1] ?? 1_000);
  else if (mode === "zk-ceiling") await zkCeiling(numbers[0] ?? 20_000);
  else await requestsScenario(numbers.length > 0 ? numbers : [200, 1_000]);
  process.exit(0);
}
