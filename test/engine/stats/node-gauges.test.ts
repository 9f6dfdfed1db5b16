import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeGauges } from "../../../engine/stats/node-gauges.ts";
import { NODE_STATES } from "../../../engine/zk/records/node.ts";

const asMap = (metrics: ReturnType<typeof nodeGauges>): Map<string, number> => {
  for (const metric of metrics) assert.equal(metric.type, "gauge");
  return new Map(metrics.map((m) => [m.key, m.value]));
};

test("with no nodes, every state is reported as 0 for the registered providers and labels", () => {
  const gauges = asMap(nodeGauges([], [{ providerName: "cloud1", supportedLabels: ["small", "large"] }, { providerName: "cloud2", supportedLabels: ["small"] }]));
  assert.equal(NODE_STATES.length, 11);
  for (const state of NODE_STATES) {
    for (const key of [`nodes.${state}`, `provider.cloud1.nodes.${state}`, `provider.cloud2.nodes.${state}`, `label.small.nodes.${state}`, `label.large.nodes.${state}`]) {
      assert.equal(gauges.get(key), 0, key);
    }
  }
  assert.equal(gauges.size, 11 * 5);
});

test("each node counts for its state, its provider and each of its labels; unknown ones are added", () => {
  const gauges = asMap(
    nodeGauges(
      [
        { state: "ready", provider: "cloud1", type: ["small"] },
        { state: "ready", provider: "cloud1", type: ["small", "multi"] },
        { state: "in-use", provider: "elsewhere", type: ["small"] },
        { state: "deleting", provider: "cloud1", type: [] },
        { state: "deleting", provider: null, type: [] },
      ],
      [{ providerName: "cloud1", supportedLabels: ["small"] }],
    ),
  );
  assert.equal(gauges.get("nodes.ready"), 2);
  assert.equal(gauges.get("nodes.in-use"), 1);
  assert.equal(gauges.get("nodes.deleting"), 2);
  assert.equal(gauges.get("nodes.used"), 0);
  assert.equal(gauges.get("provider.cloud1.nodes.ready"), 2);
  assert.equal(gauges.get("provider.cloud1.nodes.deleting"), 1);
  assert.equal(gauges.get("provider.elsewhere.nodes.in-use"), 1);
  assert.equal(gauges.has("provider.elsewhere.nodes.ready"), false);
  assert.equal(gauges.get("label.small.nodes.ready"), 2);
  assert.equal(gauges.get("label.small.nodes.in-use"), 1);
  assert.equal(gauges.get("label.multi.nodes.ready"), 1);
  assert.equal(gauges.get("label.small.nodes.hold"), 0);
});
