/**
 * Benchmark: the static driver with a rack of real sshd hosts on loopback (issue 11, "Performance").
 *   NODEPOOL_BENCH_ZK=127.0.0.1:22181 node --import tsx bench/static-hosts.ts [HOSTS=50] [IDLE_SECONDS=180]
 * Starts HOSTS sshd instances (each with its own RSA, ECDSA and Ed25519 host keys, on its own
 * 127.x address), a launcher whose static provider has no hosts, then applies a config adding
 * all of them and reports the time until every host has its ready node record. The rack then
 * stays idle: after one liveness interval (the first probes), for IDLE_SECONDS, reported are the
 * key exchanges (each a handshake per key type) and liveness probes per minute the driver made.
 * Last, one more host is added: the time to its registration and the key exchanges it cost.
 * Liveness interval and retry policy are the production defaults.
 */
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { DEFAULT_CHECK_POLICY, sshScanner, type HostScanner } from "../engine/drivers/static/index.ts";
import { Launcher } from "../engine/launcher/index.ts";
import { NodepoolZk, ZkClient } from "../engine/zk/index.ts";
import { nodepoolConfigSchema } from "../schema/index.ts";
import { SshdHost } from "../test/helpers/sshd.ts";

const servers = process.env.NODEPOOL_BENCH_ZK ?? process.env.NODEPOOL_TEST_ZK ?? "127.0.0.1:22181";
const hostCount = Number(process.argv[2] ?? 50);
const idleSeconds = Number(process.argv[3] ?? 180);
const logger = pino({ level: "error" });

const counts = { scans: 0, probes: 0 };
const scanner: HostScanner = {
  scan: (host, signal) => (counts.scans++, sshScanner.scan(host, signal)),
  probe: (host, signal) => (counts.probes++, sshScanner.probe(host, signal)),
};

function rack(hosts: readonly SshdHost[]) {
  return nodepoolConfigSchema.parse({
    labels: [{ name: "rack-label" }],
    providers: [
      {
        name: "rack",
        driver: "static",
        pools: [{ name: "main", nodes: hosts.map((h) => ({ name: h.address, labels: ["rack-label"], "connection-port": h.port })) }],
      },
    ],
  });
}

const started = performance.now();
const hosts = await Promise.all(Array.from({ length: hostCount }, () => SshdHost.create()));
await Promise.all(hosts.map((h) => h.start()));
console.log(`${hostCount} sshd hosts up in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const chroot = `/nodepool-bench/${randomUUID().replace(/-/g, "")}`;
const zk = await NodepoolZk.connect({ hosts: `${servers}${chroot}`, connectTimeoutMs: 10_000, logger });
const launcher = new Launcher({ zk, config: rack([]), log: logger, identity: { hostname: "bench", pid: process.pid }, providerContext: { hostScanner: scanner } });
try {
  await launcher.start();
  const readyCount = async (): Promise<number> => (await zk.getNodes()).filter((n) => n.provider === "rack" && n.state === "ready").length;
  const changed = performance.now();
  await launcher.reconfigure(rack(hosts));
  while ((await readyCount()) < hostCount) await new Promise((resolve) => setTimeout(resolve, 20));
  const registeredMs = performance.now() - changed;
  console.log(`config change adding ${hostCount} hosts → all ${hostCount} registered: ${(registeredMs / 1000).toFixed(2)} s (${counts.scans} key exchanges, ${counts.probes} probes; load average ${loadavg()[0]!.toFixed(1)})`);

  // The first liveness probes come one interval after registration: measure from then on.
  await new Promise((resolve) => setTimeout(resolve, DEFAULT_CHECK_POLICY.livenessIntervalMs));
  const before = { ...counts };
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const minutes = idleSeconds / 60;
  const scans = counts.scans - before.scans;
  const probes = counts.probes - before.probes;
  console.log(
    `idle rack of ${hostCount} for ${idleSeconds} s: ${(scans / minutes).toFixed(1)} key exchanges/min, ${(probes / minutes).toFixed(1)} liveness probes/min (${(probes / minutes / hostCount).toFixed(2)} per host per minute); still ready: ${await readyCount()}`,
  );

  const extra = await SshdHost.create();
  hosts.push(extra);
  await extra.start();
  const scansBefore = counts.scans;
  const added = performance.now();
  await launcher.reconfigure(rack(hosts));
  while ((await readyCount()) < hosts.length) await new Promise((resolve) => setTimeout(resolve, 20));
  console.log(`config change adding 1 host to the ${hostCount}: registered in ${((performance.now() - added) / 1000).toFixed(2)} s with ${counts.scans - scansBefore} key exchange(s)`);
} finally {
  await launcher.stop();
  zk.close();
  const root = await ZkClient.connect({ hosts: servers, connectTimeoutMs: 10_000, logger });
  await root.deleteRecursive(chroot).finally(() => root.close());
  await Promise.all(hosts.map((h) => h.dispose()));
}
