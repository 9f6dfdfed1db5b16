/**
 * The launcher's fleet as the status page and the metrics read it (engine/status/fleet.ts):
 * its watched caches, its providers (started or why not, quota, pools and whether they are
 * paused) and a short memory of recent events. Reads only what the loop already holds.
 */
import { NodeCounter, type FleetEvent, type FleetSource, type ProviderStatus, type QuotaFigures } from "../status/fleet.ts";
import type { LaunchEvent, LeakEvent } from "../reconcile/events.ts";
import type { Handler, Observed, Resources } from "../reconcile/state.ts";
import { poolKey } from "../reconcile/state.ts";
import type { Launcher } from "./launcher.ts";

/** Events kept for the page. */
const EVENTS_KEPT = 50;

export interface LauncherFleet extends FleetSource {
  /** Stops listening to the launcher. */
  close(): void;
}

export function launcherFleet(launcher: Launcher): LauncherFleet {
  const { nodes, requests, launchers, images } = launcher.caches;
  const events: FleetEvent[] = [];
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const listener of listeners) listener();
  };
  const remember = (event: FleetEvent): void => {
    events.push(event);
    if (events.length > EVENTS_KEPT) events.shift();
    changed();
  };
  const onLaunch = (event: LaunchEvent): void => {
    if (event.result === "ready" || event.result === "abandoned") return;
    const why = event.reason ?? event.result;
    remember({ at: Date.now() / 1000, kind: "launch-failed", provider: event.provider, text: `node ${event.node} (${event.label}, request ${event.request}) failed: ${event.result}: ${why}` });
  };
  const onLeak = (event: LeakEvent): void => {
    if (event.count === 0) return;
    remember({ at: Date.now() / 1000, kind: "leak-removed", provider: event.provider, text: `${event.count} leaked ${event.kind} removed` });
  };
  launcher.events.on("launch", onLaunch);
  launcher.events.on("leak", onLeak);
  const counter = new NodeCounter(nodes.map.values());
  const offs = [
    nodes.onChange((change) => {
      counter.apply(change);
      changed();
    }),
    requests.onChange(changed),
    launchers.onChange(changed),
    images.onChange(changed),
  ];
  const onPool = (): void => changed();
  launcher.events.on("pool", onPool);
  return {
    nodeCounts: () => counter.counts(),
    requests: requests.map,
    images,
    providers: () => providerStatuses(launcher),
    recentEvents: () => events,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const off of offs) off();
      launcher.events.off("launch", onLaunch);
      launcher.events.off("leak", onLeak);
      launcher.events.off("pool", onPool);
      listeners.clear();
    },
  };
}

function providerStatuses(launcher: Launcher): ProviderStatus[] {
  const observed = launcher.observe();
  const paused = pausedPools(observed);
  return launcher.providerStates().map((state) => {
    const config = launcher.currentConfig.providers.find((p) => p.name === state.name);
    const quota = observed.providers.get(state.name)?.quota;
    return {
      name: state.name,
      ready: state.started,
      reason: state.reason,
      limit: quota ? figures(quota) : { instances: null, cores: null, ram: null },
      pools: (config?.pools ?? []).map((pool) => {
        const max = "max-servers" in pool && typeof pool["max-servers"] === "number" ? pool["max-servers"] : null;
        return { name: pool.name, maxServers: max, paused: paused.has(poolKey(state.name, pool.name)) };
      }),
    };
  });
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

function figures(r: Resources): QuotaFigures {
  return { instances: finite(r.instances), cores: finite(r.cores), ram: finite(r.ram) };
}

/**
 * Pools holding an accepted request that still misses nodes with none on the way: the pool
 * waits for room and takes no other request (behaviour.md §2.8), the reference's paused pool.
 */
export function pausedPools(observed: Pick<Observed, "handlers" | "requests" | "nodes" | "committed">): Set<string> {
  const onTheWay = new Set<string>();
  for (const launch of observed.committed ?? []) onTheWay.add(launch.request);
  const paused = new Set<string>();
  for (const handler of observed.handlers.values()) {
    if (waitsForRoom(handler, observed) && !onTheWay.has(handler.request)) paused.add(handler.pool);
  }
  return paused;
}

function waitsForRoom(handler: Handler, observed: Pick<Observed, "requests" | "nodes">): boolean {
  const request = observed.requests.get(handler.request);
  if (!request || request.state !== "pending" || (handler.launching?.size ?? 0) > 0) return false;
  const obtained = handler.nodes.filter((id) => {
    const node = observed.nodes.get(id);
    return node !== undefined && node.state !== "aborted";
  }).length;
  return obtained < request.nodeTypes.length;
}
