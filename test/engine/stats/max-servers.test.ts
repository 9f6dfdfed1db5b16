import assert from "node:assert/strict";
import { test } from "node:test";
import { MaxServersGauge, providerMaxServers } from "../../../engine/stats/max-servers.ts";

test("max_servers sums the provider's pools, skipping pools with 0 and unlimited pools", () => {
  assert.equal(providerMaxServers([10, 5]), 15);
  assert.equal(providerMaxServers([10, Infinity, 0]), 10);
  assert.equal(providerMaxServers([Infinity]), 0);
  assert.equal(providerMaxServers([]), 0);
});

test("each pool worker report yields its provider's gauge from the latest value of every pool", () => {
  const gauge = new MaxServersGauge();
  assert.deepEqual(gauge.update({ provider: "cloud1", pool: "a", maxServers: 10 }), { key: "provider.cloud1.max_servers", type: "gauge", value: 10 });
  assert.equal(gauge.update({ provider: "cloud1", pool: "b", maxServers: 5 }).value, 15);
  assert.equal(gauge.update({ provider: "cloud2", pool: "a", maxServers: Infinity }).value, 0);
  assert.equal(gauge.update({ provider: "cloud1", pool: "a", maxServers: 20 }).value, 25);
});
