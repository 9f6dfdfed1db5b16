/**
 * The launcher's Prometheus metrics: the facts of its statsd keys (behaviour.md §7.2–7.5) as
 * labelled series. Gauges are computed when scraped from the watched caches (nodes, requests,
 * providers); counters and histograms follow the engine's events (launches, leaks, passes).
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { EngineEventEmitter, LaunchEvent, LeakEvent } from "../reconcile/events.ts";
import { summariseRequests, type FleetSource } from "../status/fleet.ts";
import { REQUEST_STATES } from "../zk/records/request.ts";

/** Seconds; a boot takes from seconds (containers, the fake cloud) to many minutes. */
const LAUNCH_BUCKETS = [1, 5, 10, 20, 30, 60, 120, 180, 300, 600, 1200, 1800, 3600];
/** Seconds; a planning pass over 10,000 nodes takes about 30 ms. */
const PASS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const RESOURCES = ["instances", "cores", "ram"] as const;

export interface LauncherMetricsOptions {
  readonly registry: Registry;
  readonly fleet: FleetSource;
  readonly events: EngineEventEmitter;
}

/** Registers the launcher's metrics; returns the function that stops following the events. */
export function attachLauncherMetrics({ registry, fleet, events }: LauncherMetricsOptions): () => void {
  const registers = [registry];
  // Gauges that share a reading compute it once per scrape.
  const nodes = perScrape(() => fleet.nodeCounts());
  new Gauge({
    name: "nodepool_nodes",
    help: "Nodes by provider, pool, label (a multi-label node's labels joined by commas) and state",
    labelNames: ["provider", "pool", "label", "state"] as const,
    registers,
    collect() {
      this.reset();
      for (const g of nodes().groups) this.set({ provider: g.provider, pool: g.pool, label: g.label, state: g.state }, g.count);
    },
  });
  const requests = perScrape(() => summariseRequests(fleet.requests.values(), Date.now() / 1000, 0));
  new Gauge({
    name: "nodepool_requests",
    help: "Node requests by state",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const { byState } = requests();
      for (const state of REQUEST_STATES) this.set({ state }, byState[state]);
    },
  });
  new Gauge({
    name: "nodepool_requests_oldest_waiting_age_seconds",
    help: "How long the oldest request not yet fulfilled or failed has waited (0 when none waits)",
    registers,
    collect() {
      this.set(requests().oldestWaitingAge);
    },
  });
  const providers = perScrape(() => ({ list: fleet.providers(), usage: nodes().used }));
  new Gauge({
    name: "nodepool_provider_ready",
    help: "1 when the provider's driver has started, 0 when not (the status page says why)",
    labelNames: ["provider"] as const,
    registers,
    collect() {
      this.reset();
      for (const p of providers().list) this.set({ provider: p.name }, p.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: "nodepool_provider_quota_limit",
    help: "The cloud's limit less what nodepool does not manage, by provider and resource (ram in MiB); absent where unlimited",
    labelNames: ["provider", "resource"] as const,
    registers,
    collect() {
      this.reset();
      for (const p of providers().list) {
        for (const resource of RESOURCES) {
          const value = p.limit[resource];
          if (value !== null) this.set({ provider: p.name, resource }, value);
        }
      }
    },
  });
  new Gauge({
    name: "nodepool_provider_quota_used",
    help: "Resources held by the provider's nodes, by resource (ram in MiB)",
    labelNames: ["provider", "resource"] as const,
    registers,
    collect() {
      this.reset();
      const { list, usage } = providers();
      for (const p of list) for (const resource of RESOURCES) this.set({ provider: p.name, resource }, usage.get(p.name)?.[resource] ?? 0);
    },
  });
  new Gauge({
    name: "nodepool_pool_max_servers",
    help: "A pool's max-servers; absent where unlimited",
    labelNames: ["provider", "pool"] as const,
    registers,
    collect() {
      this.reset();
      for (const p of providers().list) for (const pool of p.pools) if (pool.maxServers !== null) this.set({ provider: p.name, pool: pool.name }, pool.maxServers);
    },
  });
  new Gauge({
    name: "nodepool_pool_paused",
    help: "1 while the pool waits for room to fill a request it holds (it takes no new ones meanwhile)",
    labelNames: ["provider", "pool"] as const,
    registers,
    collect() {
      this.reset();
      for (const p of providers().list) for (const pool of p.pools) this.set({ provider: p.name, pool: pool.name }, pool.paused ? 1 : 0);
    },
  });
  const launches = new Counter({ name: "nodepool_launches_total", help: "Finished node launches by provider, pool, label and result (ready or the error class of behaviour.md §3.3)", labelNames: ["provider", "pool", "label", "result"] as const, registers });
  const launchSeconds = new Histogram({ name: "nodepool_launch_duration_seconds", help: "Node launches from start to ready or failure, retries included, by provider and result", labelNames: ["provider", "result"] as const, buckets: LAUNCH_BUCKETS, registers });
  const leaks = new Counter({ name: "nodepool_leaked_resources_removed_total", help: "Leaked cloud resources removed, by provider and kind (instances, ports, floatingips)", labelNames: ["provider", "kind"] as const, registers });
  const passes = new Histogram({ name: "nodepool_reconcile_pass_duration_seconds", help: "Reconcile passes: observing and planning (the actions run after)", buckets: PASS_BUCKETS, registers });

  const onLaunch = (e: LaunchEvent): void => {
    // Given up at a graceful stop: no result of the launch itself (as in statsd).
    if (e.result === "abandoned") return;
    launches.inc({ provider: e.provider, pool: e.pool, label: e.label, result: e.result });
    launchSeconds.observe({ provider: e.provider, result: e.result }, e.durationMs / 1000);
  };
  const onLeak = (e: LeakEvent): void => {
    if (e.count > 0) leaks.inc({ provider: e.provider, kind: e.kind }, e.count);
  };
  const onPass = (e: { planMs: number }): void => passes.observe(e.planMs / 1000);
  events.on("launch", onLaunch);
  events.on("leak", onLeak);
  events.on("pass", onPass);
  return () => {
    events.off("launch", onLaunch);
    events.off("leak", onLeak);
    events.off("pass", onPass);
  };
}

/** `read`, computed at most once per turn of the event loop (one scrape reads every gauge in one turn). */
function perScrape<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (cached === undefined) {
      cached = { value: read() };
      setImmediate(() => (cached = undefined));
    }
    return cached.value;
  };
}
