import assert from "node:assert/strict";
import { test } from "node:test";
import { createStatsClient, statsTarget, StatsConfigError } from "../../../engine/stats/client.ts";
import { counter, gauge, timer } from "../../../engine/stats/metric.ts";
import { quietLogger } from "../../helpers/zk.ts";
import { clientFor, StatsListener } from "./_statsd.ts";

test("statsd is enabled only by STATSD_HOST and/or STATSD_PORT, with the reference's defaults", () => {
  assert.equal(statsTarget({}), null);
  assert.equal(statsTarget({ STATSD_HOST: "", STATSD_PORT: "" }), null);
  assert.deepEqual(statsTarget({ STATSD_HOST: "graphite.example.org" }), { host: "graphite.example.org", port: 8125 });
  assert.deepEqual(statsTarget({ STATSD_PORT: "9125" }), { host: "localhost", port: 9125 });
  assert.deepEqual(statsTarget({ STATSD_HOST: "10.0.0.5", STATSD_PORT: "8126" }), { host: "10.0.0.5", port: 8126 });
});

test("a STATSD_PORT that is not a port is refused with a message saying what to fix", () => {
  for (const port of ["abc", "0", "70000", "81.5"]) {
    assert.throws(
      () => statsTarget({ STATSD_PORT: port }),
      (error: unknown) => error instanceof StatsConfigError && error.code === "stats.bad-port" && error.message.includes(`"${port}"`) && error.message.includes("STATSD_PORT"),
    );
  }
});

test("without statsd configured the client is a no-op", async () => {
  const client = createStatsClient({ log: quietLogger, env: {} });
  assert.equal(client.enabled, false);
  client.send([counter("launch.ready")]);
  await client.close();
});

test("a group goes out as one datagram of `nodepool.`-prefixed lines with statsd types", async (t) => {
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  assert.equal(client.enabled, true);
  client.send([timer("launch.ready", 1234.6), counter("launch.ready"), gauge("nodes.ready", 3), counter("provider.p.leaked.ports", 4)]);
  await listener.waitFor("one datagram", (l) => l.datagrams.length >= 1);
  assert.deepEqual(listener.datagrams[0]?.lines, ["nodepool.launch.ready:1235|ms", "nodepool.launch.ready:1|c", "nodepool.nodes.ready:3|g", "nodepool.provider.p.leaked.ports:4|c"]);
});

test("a negative gauge is sent after a 0, so statsd does not take it as a delta", async (t) => {
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  client.send([gauge("dib_image_build.ubuntu.status.rc", -9)]);
  await listener.waitFor("the gauge", (l) => l.lines.includes("nodepool.dib_image_build.ubuntu.status.rc:-9|g"));
  assert.deepEqual(listener.lines, ["nodepool.dib_image_build.ubuntu.status.rc:0|g", "nodepool.dib_image_build.ubuntu.status.rc:-9|g"]);
});

test("a large group is split into datagrams of at most 512 bytes, losing no line", async (t) => {
  const listener = await StatsListener.open(t);
  const client = clientFor(t, listener);
  const metrics = Array.from({ length: 100 }, (_, i) => gauge(`label.label-${i}.nodes.ready`, i));
  client.send(metrics);
  const expected = metrics.map((m) => `nodepool.${m.key}:${m.value}|g`);
  await listener.waitForLines(expected);
  assert.ok(listener.datagrams.length > 1);
  for (const datagram of listener.datagrams) assert.ok(datagram.bytes <= 512, `datagram of ${datagram.bytes} bytes`);
  assert.deepEqual(listener.lines, expected);
});
