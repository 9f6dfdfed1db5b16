/**
 * The Prometheus registry a daemon serves at `/metrics` (prom-client), with what both daemons
 * report: the process itself (prom-client's default collectors), the ZooKeeper connection's
 * state and operation latency, and the cloud API calls their drivers make. Names follow
 * Prometheus conventions: the `nodepool_` prefix, `_total` counters, `_seconds` durations.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ApiCallSink } from "../drivers/driver.ts";
import type { ConnectionState, ZkClient } from "../zk/client.ts";

/** Seconds; from a fast metadata call to a slow server boot or image upload. */
const CLOUD_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds; ZooKeeper answers in about a millisecond on a healthy ensemble. */
const ZK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

const CONNECTION_STATES: readonly ConnectionState[] = ["connecting", "connected", "suspended", "expired", "closed"];

export interface DaemonMetrics {
  readonly registry: Registry;
  /** The sink one provider's driver reports its cloud API calls to. */
  apiCalls(provider: string): ApiCallSink;
  /** Follows a ZooKeeper client: its connection state and the latency of its operations. */
  observeZookeeper(client: ZkClient): void;
}

export function daemonMetrics(): DaemonMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const cloudCalls = new Histogram({
    name: "nodepool_cloud_api_call_duration_seconds",
    help: "Cloud API calls made by the provider drivers, by provider, operation and outcome",
    labelNames: ["provider", "operation", "outcome"] as const,
    buckets: CLOUD_CALL_BUCKETS,
    registers: [registry],
  });
  const zkOps = new Histogram({
    name: "nodepool_zookeeper_operation_duration_seconds",
    help: "ZooKeeper requests from send to answer, by operation",
    labelNames: ["operation"] as const,
    buckets: ZK_BUCKETS,
    registers: [registry],
  });
  let client: ZkClient | undefined;
  new Gauge({
    name: "nodepool_zookeeper_connection_state",
    help: "1 for the ZooKeeper connection's current state (connected, suspended: disconnected with the session maybe alive, expired, ...), 0 for the others",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      for (const state of CONNECTION_STATES) this.set({ state }, client?.state === state ? 1 : 0);
    },
  });
  return {
    registry,
    apiCalls: (provider) => (call) => cloudCalls.observe({ provider, operation: call.operation, outcome: call.ok ? "ok" : "error" }, call.seconds),
    observeZookeeper(zk) {
      client = zk;
      zk.observeOperations((operation, seconds) => zkOps.observe({ operation }, seconds));
    },
  };
}
