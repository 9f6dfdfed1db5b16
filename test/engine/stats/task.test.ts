import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCallEvents } from "../../../engine/drivers/api-calls.ts";
import type { StatsClient } from "../../../engine/stats/client.ts";
import type { Metric } from "../../../engine/stats/metric.ts";
import { attachTaskStats } from "../../../engine/stats/task.ts";

/** A statsd client that keeps what it is given (the real one sends UDP datagrams). */
function recording(enabled: boolean): StatsClient & { sent: Metric[] } {
  const sent: Metric[] = [];
  return { enabled, sent, send: (metrics) => void sent.push(...metrics), close: async () => undefined };
}

test("every driver API call becomes a nodepool.task.<provider>.<Operation> timer while attached", () => {
  const client = recording(true);
  const detach = attachTaskStats(client);
  apiCallEvents.emit("call", { provider: "cloud-a", operation: "CreateServer", ms: 123.4, status: 202 });
  detach();
  apiCallEvents.emit("call", { provider: "cloud-a", operation: "ListServers", ms: 5, status: 200 });
  assert.deepEqual(client.sent, [{ key: "task.cloud-a.CreateServer", type: "timer", value: 123 }]);
  const disabled = recording(false);
  attachTaskStats(disabled)();
  apiCallEvents.emit("call", { provider: "cloud-a", operation: "ListServers", ms: 5, status: 200 });
  assert.deepEqual(disabled.sent, []);
});
