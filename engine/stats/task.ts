/**
 * Cloud API call timers (the operator guide's `nodepool.task.<provider>.<Operation>`): one timer
 * per call a driver makes, named by the call (`CreateServer`, `ListServers`, ...).
 */
import { apiCallEvents, type ApiCallEvent } from "../drivers/api-calls.ts";
import type { StatsClient } from "./client.ts";
import { timer, type Metric } from "./metric.ts";

export function taskMetrics(event: ApiCallEvent): Metric[] {
  return [timer(`task.${event.provider}.${event.operation}`, event.ms)];
}

/** Sends a timer for every driver API call; returns the function that stops it. */
export function attachTaskStats(client: StatsClient): () => void {
  if (!client.enabled) return () => undefined;
  const onCall = (event: ApiCallEvent): void => client.send(taskMetrics(event));
  apiCallEvents.on("call", onCall);
  return () => apiCallEvents.off("call", onCall);
}
