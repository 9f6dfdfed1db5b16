/// <reference lib="dom" />
/**
 * Benchmark: the launcher's `/metrics` and live status page at fleet scale (issue 14).
 *   npm run build && NODEPOOL_BENCH_ZK=127.0.0.1:22181 node --import tsx bench/status-page.ts [NODES] [REQUESTS] [--screenshot FILE]
 * Seeds a fresh chroot with NODES node records (default 10,000) over three fake providers and
 * six labels in the states of a busy fleet (in-use, ready, building, hold, deleting; every node
 * not ready or held is locked by the benchmark, as Zuul or another launcher would hold it, so
 * the launcher leaves the fleet alone), REQUESTS waiting requests (default 1,000; the providers
 * take none, max-concurrency 0), and a few image builds and uploads. Then starts the built
 * `nodepool-launcher` in a process of its own and reports:
 * - `/metrics` and `/`: wall time of 30 requests one after another (median, p95, max) and the
 *   launcher's CPU per request;
 * - the status page's first render in Debian's chromium (navigation start to the load event);
 * - the launcher's CPU while the benchmark changes a node 50 times a second, in three pairs of
 *   20 s windows without and with 100 open status pages (100 Server-Sent Events streams read).
 * `--screenshot FILE` adds a provider whose launches all fail (recent events) and writes a PNG
 * of the page.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { stringify } from "yaml";
import { newBuild, newNode, newUpload, NodepoolZk, paths, withUploadState, ZkClient, type NodeId, type NodeState } from "../engine/zk/index.ts";
import { launchBrowser } from "../test/helpers/browser.ts";

const servers = process.env.NODEPOOL_BENCH_ZK ?? process.env.NODEPOOL_TEST_ZK ?? "127.0.0.1:22181";
const logger = pino({ level: "error" });
const PROVIDERS = ["cloud-east", "cloud-west", "cloud-gpu"];
const LABELS = ["ubuntu-jammy", "ubuntu-noble", "debian-bookworm", "centos-9-stream", "fedora-40", "nvidia-a100"];
const IMAGES = ["ubuntu-jammy", "ubuntu-noble", "debian-bookworm"];
const CHANGES_PER_SECOND = 50;
const PAGES = 100;
const WINDOW_MS = 20_000;
const ROUNDS = 3;
const TICKS_PER_SECOND = 100;

const args = process.argv.slice(2);
const screenshotAt = args.indexOf("--screenshot");
const screenshot = screenshotAt >= 0 ? args.splice(screenshotAt, 2)[1] : undefined;
const nodeCount = Number(args[0] ?? 10_000);
const requestCount = Number(args[1] ?? 1_000);

/** A state for the i-th node: most in use, as in a busy CI fleet. */
function stateOf(i: number): NodeState {
  const r = i % 100;
  return r < 68 ? "in-use" : r < 85 ? "ready" : r < 92 ? "building" : r < 95 ? "hold" : "deleting";
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function config(port: number): string {
  const provider = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    driver: "fake",
    cloud: "fake",
    "max-concurrency": 0,
    "fake-cloud": { "max-instances": Math.ceil(nodeCount / 2), "max-cores": -1, "max-ram": -1 },
    "cloud-images": [{ name: "base", "image-name": "Fake Precise" }],
    pools: [{ name: "main", "max-servers": Math.ceil(nodeCount / 2), labels: LABELS.map((label) => ({ name: label, "cloud-image": "base", "min-ram": 8192 })) }],
    ...extra,
  });
  const providers = PROVIDERS.map((name) => provider(name));
  if (screenshot) {
    providers.push({
      ...provider("cloud-flaky"),
      "max-concurrency": -1,
      "fake-cloud": { "max-instances": 10, "max-cores": -1, "max-ram": -1, "launch-failure-rate": 1 },
      "launch-retries": 1,
      pools: [{ name: "main", "max-servers": 5, labels: [{ name: "arm64-small", "cloud-image": "base", "min-ram": 8192 }] }],
    } as ReturnType<typeof provider>);
  }
  return stringify({
    webapp: { port, listen_address: "127.0.0.1" },
    labels: [...LABELS.map((name) => ({ name, "min-ready": 0 })), ...(screenshot ? [{ name: "arm64-small", "min-ready": 1 }] : [])],
    providers,
  });
}

/** Nodes, waiting requests and image records; returns the ids of locked in-use nodes and the seeding session. */
async function seed(zk: NodepoolZk): Promise<NodeId[]> {
  for (const dir of [paths.NODE_ROOT, paths.REQUEST_ROOT]) await zk.client.ensurePath(dir);
  const now = Date.now() / 1000;
  const ids: { id: NodeId; state: NodeState }[] = [];
  for (let i = 0; i < nodeCount; i += 1_000) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(1_000, nodeCount - i) }, async (_, j) => {
        const n = i + j;
        const state = stateOf(n);
        const provider = PROVIDERS[n % PROVIDERS.length] as string;
        const label = LABELS[(n >> 2) % LABELS.length] as string;
        const record = newNode(
          { state, provider, pool: "main", type: [label], launcher: "another-launcher", externalId: randomUUID(), hostname: `${label}-${provider}-${n}`, interfaceIp: `198.51.100.${n % 250}`, resources: { cores: 4, instances: 1, ram: 8192 } },
          now - (n % 7200),
        );
        const stored = await zk.storeNode(record);
        return { id: stored.id as NodeId, state };
      }),
    );
    ids.push(...batch);
  }
  const locked = ids.filter((n) => n.state !== "ready" && n.state !== "hold");
  for (let i = 0; i < locked.length; i += 500) {
    await Promise.all(locked.slice(i, i + 500).map((n) => zk.lockNodeZnode(n.id, { blocking: false })));
  }
  const data = (i: number): string =>
    JSON.stringify({ node_types: [LABELS[i % LABELS.length]], requestor: `zuul.example.org`, created_time: now - (requestCount - i) * 0.5, provider: null, state: "requested", state_time: now, relative_priority: 0, declined_by: [], nodes: [], reuse: true });
  for (let i = 0; i < requestCount; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, requestCount - i) }, (_, j) => zk.client.create(`${paths.REQUEST_ROOT}/200-`, data(i + j), "ephemeral-sequential")));
  }
  for (const image of IMAGES) {
    for (const [k, age] of [
      [1, 30 * 3600],
      [2, 6 * 3600],
    ] as const) {
      const build = await zk.storeBuild(newBuild(image, { state: "ready", builder: "builder01", formats: ["qcow2"] }, now - age));
      for (const provider of PROVIDERS) {
        const upload = newUpload(image, build.id!, provider, { state: "uploading" }, now - age + 600);
        await zk.storeUpload(withUploadState({ ...upload, externalId: randomUUID(), externalName: `${image}-${k}` }, "ready", now - age + 900));
      }
    }
  }
  await zk.storeBuild(newBuild("ubuntu-noble", { state: "building", builder: "builder01", formats: ["qcow2"] }, now - 420));
  return locked.filter((n) => n.state === "in-use").map((n) => n.id);
}

function cpuTicks(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/stat`, "utf8").then((stat) => {
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  });
}

/** The launcher's CPU (percent of one core) over the window. */
async function cpuOver(pid: number, ms: number): Promise<number> {
  const before = await cpuTicks(pid);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ((await cpuTicks(pid)) - before) / (((performance.now() - started) / 1000) * 100) * 100;
}

/** `changes` node writes a second, each toggling a held in-use node between in-use and hold. */
function churn(zk: NodepoolZk, ids: readonly NodeId[], changes: number): { stop(): Promise<number> } {
  let written = 0;
  let next = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * changes) - written;
    for (let k = 0; k < due; k++) {
      const id = ids[next++ % ids.length] as NodeId;
      written++;
      pending = zk.getNode(id).then((node) => node && zk.storeNode({ ...node, state: node.state === "in-use" ? "hold" : "in-use" }));
    }
  }, 1000 / TICKS_PER_SECOND);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      return written / ((performance.now() - started) / 1000);
    },
  };
}

/** Opens `count` event streams and reads them; returns how to close them and what they got. */
function openPages(url: string, count: number): { close(): { events: number; bytes: number } } {
  let events = 0;
  let bytes = 0;
  const requests = Array.from({ length: count }, () => {
    const req = httpRequest(`${url}/status/events`, { headers: { accept: "text/event-stream" } }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        bytes += chunk.length;
        events += chunk.split("event: sections").length - 1;
      });
      res.on("error", () => undefined);
    });
    req.on("error", () => undefined);
    req.end();
    return req;
  });
  return {
    close() {
      for (const req of requests) req.destroy();
      return { events, bytes };
    },
  };
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const chroot = `/nodepool-bench/status-${randomUUID().replace(/-/g, "")}`;
  const hosts = `${servers}${chroot}`;
  const dir = await mkdtemp(join(tmpdir(), "nodepool-bench-status-"));
  const zk = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger });
  let launcher: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    const held = await seed(zk);
    console.log(`seeded ${nodeCount} nodes, ${requestCount} waiting requests in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await writeFile(join(dir, "nodepool.yaml"), config(port));
    await writeFile(join(dir, "logging.json"), JSON.stringify({ level: "warn", file: join(dir, "launcher.log") }));
    const bin = new URL("../bin/nodepool-launcher", import.meta.url).pathname;
    launcher = spawn(bin, ["-f", "-c", join(dir, "nodepool.yaml"), "--zookeeper", hosts, "-l", join(dir, "logging.json")], { stdio: "ignore" });
    const pid = launcher.pid ?? 0;
    const deadline = performance.now() + 60_000;
    for (;;) {
      const body = await fetch(`${url}/metrics`).then((r) => (r.ok ? r.text() : ""), () => "");
      const nodes = [...body.matchAll(/^nodepool_nodes\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      if (nodes >= nodeCount && body.includes(`nodepool_requests{state="requested"} ${requestCount}`)) break;
      if (performance.now() > deadline) throw new Error(`the launcher's caches did not load within 60 s (${nodes} nodes seen)`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(`launcher ${pid} up with its caches loaded; load average ${loadavg()[0]?.toFixed(1)}`);

    for (const path of ["/metrics", "/"]) {
      const times: number[] = [];
      let size = 0;
      const ticks = await cpuTicks(pid);
      for (let i = 0; i < 30; i++) {
        const started = performance.now();
        size = (await (await fetch(`${url}${path}`)).text()).length;
        times.push(performance.now() - started);
      }
      const cpuMs = (((await cpuTicks(pid)) - ticks) * 10) / 30;
      times.sort((a, b) => a - b);
      console.log(
        `GET ${path} (${(size / 1024).toFixed(0)} KiB), 30 in a row: median ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms, max ${(times.at(-1) ?? 0).toFixed(1)} ms; launcher CPU ${cpuMs.toFixed(1)} ms each`,
      );
    }

    const browser = await launchBrowser({ width: 1500, height: 1250 });
    try {
      const renders: number[] = [];
      for (let i = 0; i < 5; i++) {
        const page = await browser.context.newPage();
        await page.goto(`${url}/`, { waitUntil: "load" });
        renders.push(await page.evaluate(() => {
          const [nav] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
          return nav ? nav.loadEventEnd - nav.startTime : NaN;
        }));
        if (i === 0 && screenshot) {
          await page.waitForSelector("li.launch-failed", { timeout: 30_000 });
          await page.screenshot({ path: screenshot, fullPage: true });
          console.log(`screenshot written to ${screenshot}`);
        }
        await page.close();
      }
      console.log(`status page: first render in chromium ${renders.map((ms) => ms.toFixed(0)).join(", ")} ms (navigation start to load event, five fresh tabs)`);
    } finally {
      await browser.close();
    }

    const quiet = await cpuOver(pid, 10_000);
    // Windows without and with the pages alternate, so a change in the machine's load falls on both.
    const load = churn(zk, held, CHANGES_PER_SECOND);
    const without: number[] = [];
    const withPages: number[] = [];
    let events = 0;
    let bytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      without.push(await cpuOver(pid, WINDOW_MS));
      const pages = openPages(url, PAGES);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      withPages.push(await cpuOver(pid, WINDOW_MS));
      const got = pages.close();
      events += got.events;
      bytes += got.bytes;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const rate = await load.stop();
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const list = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(", ");
    console.log(`launcher CPU (% of one core): ${quiet.toFixed(1)} idle; with ${rate.toFixed(0)} node changes/s: ${list(without)} without pages, ${list(withPages)} with ${PAGES} open status pages`);
    console.log(`the pages' cost: ${(mean(withPages) - mean(without)).toFixed(1)} % of one core (means of ${ROUNDS} alternating ${WINDOW_MS / 1000} s windows; ${events} updates, ${(bytes / 1e6).toFixed(1)} MB sent)`);
  } finally {
    launcher?.kill("SIGTERM");
    zk.close();
    const root = await ZkClient.connect({ hosts: servers, connectTimeoutMs: 10_000, logger });
    await root.deleteRecursive(chroot).finally(() => root.close());
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
