import assert from "node:assert/strict";
import { test } from "node:test";
import { launchKeys, launchMetrics, normaliseRequestor } from "../../../engine/stats/launch.ts";
import type { LaunchEvent } from "../../../engine/reconcile/events.ts";
import { asNodeId, asRequestId } from "../../../engine/zk/ids.ts";

function launch(overrides: Partial<LaunchEvent> = {}): LaunchEvent {
  return {
    provider: "cloud.east",
    pool: "main",
    label: "ubuntu",
    az: "az1",
    image: "ubuntu-jammy",
    requestor: "NodePool:min-ready",
    node: asNodeId("0000000001"),
    request: asRequestId("100-0000000001"),
    result: "ready",
    reason: null,
    durationMs: 2500.4,
    ...overrides,
  };
}

test("the requestor is normalised as the reference does: every . and : becomes _", () => {
  assert.equal(normaliseRequestor("NodePool:min-ready"), "NodePool_min-ready");
  assert.equal(normaliseRequestor("zuul.example.org:3"), "zuul_example_org_3");
  assert.equal(normaliseRequestor("zuul-scheduler"), "zuul-scheduler");
});

test("a launch sends a timer and a counter under every breakdown; provider and AZ verbatim", () => {
  assert.deepEqual(launchKeys(launch()), [
    "launch.provider.cloud.east.ready",
    "launch.image.ubuntu-jammy.ready",
    "launch.ready",
    "launch.provider.cloud.east.az1.ready",
    "launch.requestor.NodePool_min-ready.ready",
  ]);
  const metrics = launchMetrics(launch({ result: "error.quota" }));
  assert.equal(metrics.length, 10);
  assert.deepEqual(metrics.slice(0, 2), [
    { key: "launch.provider.cloud.east.error.quota", type: "timer", value: 2500 },
    { key: "launch.provider.cloud.east.error.quota", type: "counter", value: 1 },
  ]);
});

test("no AZ, image or requestor: those breakdowns are left out", () => {
  assert.deepEqual(launchKeys(launch({ az: null, image: null, requestor: null, result: "error.unknown" })), [
    "launch.provider.cloud.east.error.unknown",
    "launch.error.unknown",
  ]);
});
