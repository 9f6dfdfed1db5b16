/**
 * Benchmark: the launcher on the real test cloud (scripts/openstack.sh) against the cloud's own
 * floor (issue 10, "Performance").
 *   NODEPOOL_BENCH_ZK=127.0.0.1:22181 node --import tsx bench/openstack-launch.ts [N]
 * 1. Floor: N servers created at once directly with the client, watched with a listing every
 *    0.1 s; per server the time from its create call to the first listing showing it ACTIVE;
 *    then all deleted and watched until gone.
 * 2. Launcher: N single-node requests written at once; per request the time from submission to
 *    `fulfilled` (its node `ready`); then every node marked `used` and the time until all are
 *    deleted. Run without and with a floating IP per node. The API calls the provider made are
 *    counted by operation, for the launch phase and the deletion phase, per node.
 * Needs the cloud's clouds.yaml (OS_CLIENT_CONFIG_FILE, default the one openstack.sh writes).
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { nodepoolConfigSchema } from "../schema/index.ts";
import { cloudTraits, registerDriver } from "../engine/drivers/index.ts";
import { OpenStackClient } from "../engine/drivers/openstack/index.ts";
import { OpenStackProvider } from "../engine/drivers/openstack/provider.ts";
import { Launcher } from "../engine/launcher/index.ts";
import { NodepoolZk, newRequest, type NodeId } from "../engine/zk/index.ts";

const N = Number(process.argv[2] ?? 20);
const servers = process.env.NODEPOOL_BENCH_ZK ?? process.env.NODEPOOL_TEST_ZK ?? "127.0.0.1:22181";
process.env.OS_CLIENT_CONFIG_FILE ??= "/var/tmp/nodepool-openstack/clouds.yaml";
const logger = pino({ level: "error" });
const IMAGE = "tiny-raw";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(2);
function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `median ${seconds(at(0.5))} s, p90 ${seconds(at(0.9))} s, max ${seconds(sorted[sorted.length - 1] ?? NaN)} s`;
}

async function floor(): Promise<number[]> {
  const client = OpenStackClient.fromCloudsYaml("local");
  const [image] = await client.glance.findByName(IMAGE);
  const network = (await client.neutron.listNetworks({ name: "private" }))[0]?.id ?? "";
  const started = new Map<string, number>();
  const took = new Map<string, number>();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const at = performance.now();
      const id = await client.nova.createServer({
        name: `bench-floor-${i}`,
        flavorRef: "1",
        imageRef: image?.id ?? "",
        networks: [network],
        securityGroups: [],
        availabilityZone: null,
        keyName: null,
        userData: null,
        configDrive: null,
        metadata: { purpose: "bench-floor" },
        volume: null,
      });
      started.set(id, at);
    }),
  );
  while (took.size < N) {
    for (const s of await client.nova.listServers()) {
      const at = started.get(s.id);
      if (at !== undefined && !took.has(s.id) && s.status !== "BUILD") {
        if (s.status !== "ACTIVE") throw new Error(`floor server ${s.id} is ${s.status}: ${s.fault?.message ?? ""}`);
        took.set(s.id, performance.now() - at);
      }
    }
    await sleep(100);
  }
  const allActive = performance.now() - t0;
  const d0 = performance.now();
  await Promise.all([...started.keys()].map((id) => client.nova.deleteServer(id)));
  while ((await client.nova.listServers()).some((s) => started.has(s.id))) await sleep(100);
  console.log(`floor (client): ${N} servers ACTIVE: ${summary([...took.values()])}; all ACTIVE after ${seconds(allActive)} s; all deleted after ${seconds(performance.now() - d0)} s`);
  await client.close();
  return [...took.values()];
}

function launcherConfig(provider: string, floatingIp: boolean) {
  return nodepoolConfigSchema.parse({
    labels: [{ name: "small" }],
    providers: [
      {
        name: provider,
        cloud: "local",
        rate: 0,
        "cloud-images": [{ name: "tiny", "image-name": IMAGE }],
        pools: [
          {
            name: "main",
            "max-servers": N,
            networks: ["private"],
            "auto-floating-ip": floatingIp,
            "host-key-checking": false,
            labels: [{ name: "small", "cloud-image": "tiny", "min-ram": 512 }],
          },
        ],
      },
    ],
  });
}

function diff(after: ReadonlyMap<string, number>, before: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [op, n] of after) if (n - (before.get(op) ?? 0) > 0) out.set(op, n - (before.get(op) ?? 0));
  return out;
}
function perNode(calls: Map<string, number>): string {
  let total = 0;
  const parts = [...calls].sort().map(([op, n]) => {
    total += n;
    return `${op} ${(n / N).toFixed(2)}`;
  });
  return `${(total / N).toFixed(2)} per node (${parts.join(", ")})`;
}

async function launcherRun(floatingIp: boolean): Promise<number[]> {
  const provider = `bench-${randomUUID().slice(0, 6)}`;
  let captured: OpenStackProvider | null = null;
  registerDriver("openstack", { describe: cloudTraits, create: (config) => (captured = new OpenStackProvider(config, { log: logger })) });
  const zk = await NodepoolZk.connect({ hosts: `${servers}/bench-openstack-${randomUUID()}`, connectTimeoutMs: 10_000, logger });
  const launcher = new Launcher({ zk, config: launcherConfig(provider, floatingIp), log: logger, identity: { hostname: "bench", pid: process.pid } });
  await launcher.start();
  const calls = () => new Map((captured as OpenStackProvider | null)?.apiCalls ?? []);
  while (captured === null) await sleep(50);
  await sleep(1000);
  const before = calls();
  const submitted = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["small"], requestor: "bench" }), 100);
    submitted.set(request.id as string, performance.now());
  }
  const took = new Map<string, number>();
  const nodes: NodeId[] = [];
  while (took.size < N) {
    for (const [id, at] of submitted) {
      if (took.has(id)) continue;
      const r = await zk.getNodeRequest(id as never);
      if (r?.state === "fulfilled") {
        took.set(id, performance.now() - at);
        nodes.push(r.nodes[0] as NodeId);
      } else if (r?.state === "failed") throw new Error(`request ${id} failed`);
    }
    await sleep(50);
  }
  const launched = calls();
  const d0 = performance.now();
  for (const id of submitted.keys()) await zk.deleteNodeRequest(id as never);
  for (const id of nodes) {
    const { lock, record } = await zk.lockNode(id);
    await zk.storeNode({ ...record, state: "used" }, lock);
    await lock.release();
  }
  while ((await zk.getNodes()).length > 0) await sleep(100);
  const deleted = calls();
  console.log(`launcher, ${floatingIp ? "with" : "without"} floating IP: request to ready: ${summary([...took.values()])}; all deleted ${seconds(performance.now() - d0)} s after marked used`);
  console.log(`  API calls, launch: ${perNode(diff(launched, before))}`);
  console.log(`  API calls, deletion: ${perNode(diff(deleted, launched))}`);
  await launcher.stop();
  await zk.close();
  return [...took.values()];
}

const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? NaN;
const direct = await floor();
const plain = await launcherRun(false);
await launcherRun(true);
console.log(`launcher overhead (median, without floating IP): ${(((median(plain) - median(direct)) / median(direct)) * 100).toFixed(0)} %`);
process.exit(0);
