/**
 * config-examples/grafana/: the dashboard is valid Grafana JSON whose queries name only metrics
 * the daemons export, and the statsd_exporter mapping maps every statsd key family.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Histogram, Registry } from "prom-client";
import { parse } from "yaml";
import { BuilderEventEmitter } from "../../engine/builder/events.ts";
import { attachBuilderMetrics, attachLauncherMetrics, daemonMetrics } from "../../engine/metrics/index.ts";
import { EngineEventEmitter } from "../../engine/reconcile/events.ts";
import { countNodes } from "../../engine/status/fleet.ts";

const dir = new URL("../../config-examples/grafana/", import.meta.url).pathname;

/** Every series name the daemons can export, histograms with their _bucket, _sum and _count. */
function exportedNames(): Set<string> {
  const { registry } = daemonMetrics();
  const builder = new Registry();
  attachLauncherMetrics({
    registry,
    events: new EngineEventEmitter(),
    fleet: { nodeCounts: () => countNodes([]), requests: new Map(), images: { images: () => [], isPaused: () => false, builds: () => [], providers: () => [], uploads: () => [] }, providers: () => [], recentEvents: () => [], onChange: () => () => undefined },
  });
  attachBuilderMetrics({ registry: builder, images: { images: () => [], isPaused: () => false, builds: () => [], providers: () => [], uploads: () => [] }, events: new BuilderEventEmitter() });
  const names = new Set<string>();
  for (const metric of [...registry.getMetricsAsArray(), ...builder.getMetricsAsArray()]) {
    names.add(metric.name);
    if (metric instanceof Histogram) for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

interface Panel {
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

test("the Grafana dashboard queries only metrics the daemons export, every one of them at least once", () => {
  const dashboard = JSON.parse(readFileSync(`${dir}nodepool-dashboard.json`, "utf8")) as { title: string; uid: string; panels: Panel[] };
  assert.equal(dashboard.uid, "nodepool");
  const exported = exportedNames();
  const used = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      const names = target.expr.match(/\bnodepool_[a-z_]+/g) ?? [];
      assert.ok(names.length > 0, `${panel.title}: ${target.expr}`);
      for (const name of names) {
        assert.ok(exported.has(name), `${panel.title}: ${name} is not exported`);
        used.add(name.replace(/_(bucket|sum|count)$/, ""));
      }
    }
  }
  const unused = [...exported].filter((name) => name.startsWith("nodepool_") && !/_(bucket|sum|count)$/.test(name) && !used.has(name));
  assert.deepEqual(unused.filter((name) => !["nodepool_providers", "nodepool_image_builds_total", "nodepool_image_uploads_total"].includes(name)), []);
});

test("the statsd_exporter mapping covers every statsd key family the daemons send", () => {
  const mapping = parse(readFileSync(`${dir}statsd-exporter-mapping.yaml`, "utf8")) as { mappings: { match: string; name: string }[] };
  const matches = mapping.mappings.map((m) => m.match);
  for (const family of [
    "nodepool.nodes.*",
    "nodepool.provider.*.nodes.*",
    "nodepool.label.*.nodes.*",
    "nodepool.provider.*.max_servers",
    "nodepool.provider.*.leaked.*",
    "nodepool.launch.provider.*.ready",
    "nodepool.launch.provider.*.error.*",
    "nodepool.dib_image_build.*.status.duration",
    "nodepool.image_update.*.*",
  ]) {
    assert.ok(matches.includes(family), family);
  }
  for (const m of mapping.mappings) assert.match(m.name, /^(nodepool_statsd_[a-z_]+|dropped)$/, m.match);
});
