/**
 * Cloud API call timers (the operator guide's `nodepool.task.<provider>.<Operation>`): one timer
 * per call a driver makes, named by the call (`CreateServer`, `ListServers`, ...).
 */
import { timer, type Metric } from "./metric.ts";

export interface TaskEvent {
  provider: string;
  operation: string;
  ms: number;
}

export function taskMetrics(event: TaskEvent): Metric[] {
  return [timer(`task.${event.provider}.${event.operation}`, event.ms)];
}
