import assert from "node:assert/strict";
import { test } from "node:test";
import { leakMetrics } from "../../../engine/stats/leaks.ts";

test("leak counters carry what one pass removed, and nothing is sent for none", () => {
  assert.deepEqual(leakMetrics({ provider: "cloud1", kind: "instances", count: 1 }), [{ key: "provider.cloud1.leaked.instances", type: "counter", value: 1 }]);
  assert.deepEqual(leakMetrics({ provider: "cloud1", kind: "ports", count: 3 }), [{ key: "provider.cloud1.leaked.ports", type: "counter", value: 3 }]);
  assert.deepEqual(leakMetrics({ provider: "cloud1", kind: "floatingips", count: 2 }), [{ key: "provider.cloud1.leaked.floatingips", type: "counter", value: 2 }]);
  assert.deepEqual(leakMetrics({ provider: "cloud1", kind: "ports", count: 0 }), []);
});
