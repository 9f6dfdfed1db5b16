import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { stringify } from "yaml";
import { BuilderDaemon } from "../../../engine/builder/daemon.ts";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { LauncherDaemon } from "../../../engine/launcher/daemon.ts";
import { parseMetricsListen } from "../../../engine/metrics/index.ts";
import { UsageError } from "../../../engine/errors.ts";
import { IMAGE_CREATE, standard, testDirs } from "../builder/_builder.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";

/** The value of one series in a Prometheus text exposition, undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return response.text();
}

async function tempFile(t: TestContext, name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nodepool-metrics-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

const provider = (name: string, label: string, failureRate: number) => ({
  name,
  driver: "fake",
  cloud: "fake",
  "fake-cloud": { "launch-failure-rate": failureRate },
  "cloud-images": [{ name: "precise", "image-name": "Fake Precise" }],
  "launch-retries": 1,
  pools: [{ name: "main", "max-servers": 10, labels: [{ name: label, "cloud-image": "precise", "min-ram": 8192 }] }],
});

test("the launcher's /metrics: nodes, requests, launches by result, quota, ZooKeeper, cloud API calls and passes; failures reach the status page with their reason", async (t) => {
  resetFakeClouds();
  const { hosts } = await zkForTest(t);
  const configPath = await tempFile(
    t,
    "nodepool.yaml",
    stringify({
      webapp: { port: 8005, listen_address: "127.0.0.1" },
      labels: [
        { name: "small", "min-ready": 2 },
        { name: "flaky", "min-ready": 1 },
      ],
      providers: [provider("cloud-a", "small", 0), provider("cloud-b", "flaky", 1)],
    }),
  );
  const daemon = await LauncherDaemon.start({ configPath, zookeeper: hosts, log: quietLogger, webPort: 0 });
  t.after(() => daemon.stop());
  const url = daemon.webUrl ?? "";
  const text = await waitFor("two ready nodes and a failed launch in the metrics", async () => {
    const body = await scrape(url);
    return sample(body, 'nodepool_nodes{provider="cloud-a",pool="main",label="small",state="ready"}') === 2 &&
      (sample(body, 'nodepool_launches_total{provider="cloud-b",pool="main",label="flaky",result="error.unknown"}') ?? 0) >= 1
      ? body
      : undefined;
  });
  assert.equal(sample(text, 'nodepool_launches_total{provider="cloud-a",pool="main",label="small",result="ready"}'), 2);
  assert.equal(sample(text, 'nodepool_launch_duration_seconds_count{provider="cloud-a",result="ready"}'), 2);
  assert.equal(sample(text, 'nodepool_provider_ready{provider="cloud-a"}'), 1);
  assert.equal(sample(text, 'nodepool_provider_quota_used{provider="cloud-a",resource="instances"}'), 2);
  assert.ok((sample(text, 'nodepool_provider_quota_limit{provider="cloud-a",resource="instances"}') ?? 0) > 0);
  assert.equal(sample(text, 'nodepool_pool_max_servers{provider="cloud-a",pool="main"}'), 10);
  assert.equal(sample(text, 'nodepool_pool_paused{provider="cloud-a",pool="main"}'), 0);
  assert.equal(sample(text, 'nodepool_zookeeper_connection_state{state="connected"}'), 1);
  assert.ok((sample(text, 'nodepool_zookeeper_operation_duration_seconds_count{operation="multi"}') ?? 0) > 0);
  assert.ok((sample(text, 'nodepool_cloud_api_call_duration_seconds_count{provider="cloud-a",operation="create-server",outcome="ok"}') ?? 0) >= 2);
  assert.ok((sample(text, 'nodepool_cloud_api_call_duration_seconds_count{provider="cloud-b",operation="create-server",outcome="error"}') ?? 0) >= 1);
  assert.ok((sample(text, "nodepool_reconcile_pass_duration_seconds_count") ?? 0) > 0);
  assert.notEqual(sample(text, "nodepool_requests_oldest_waiting_age_seconds"), undefined);
  assert.notEqual(sample(text, "process_cpu_seconds_total"), undefined);

  const page = await (await fetch(`${url}/`)).text();
  assert.match(page, /launch failed.*cloud-b.*server creation failed \(launch-failure-rate\)/);
});

test("nodepool-builder --metrics-port: image builds and uploads by state, their durations, the newest ready build's age", async (t) => {
  const { hosts } = await zkForTest(t);
  const dirs = await testDirs(t);
  const configPath = await tempFile(t, "nodepool.yaml", standard.replaceAll("{images}", dirs.imagesDir).replaceAll("{logs}", dirs.logDir));
  const daemon = await BuilderDaemon.start({ configPath, zookeeper: hosts, log: quietLogger, dibCommand: IMAGE_CREATE, metricsListen: { host: "127.0.0.1", port: 0 } });
  t.after(() => daemon.stop());
  const url = daemon.metricsUrl ?? "";
  const text = await waitFor(
    "a ready upload in the metrics",
    async () => {
      const body = await scrape(url);
      return sample(body, 'nodepool_image_uploads{image="fake-image",provider="fake-provider",state="ready"}') === 1 ? body : undefined;
    },
    30_000,
  );
  assert.equal(sample(text, 'nodepool_image_builds{image="fake-image",state="ready"}'), 1);
  assert.equal(sample(text, 'nodepool_image_builds{image="fake-image",state="failed"}'), 0);
  assert.equal(sample(text, 'nodepool_image_builds_total{image="fake-image",result="ready"}'), 1);
  assert.equal(sample(text, 'nodepool_image_build_duration_seconds_count{image="fake-image",result="ready"}'), 1);
  assert.ok((sample(text, 'nodepool_image_newest_ready_build_age_seconds{image="fake-image"}') ?? -1) >= 0);
  assert.equal(sample(text, 'nodepool_image_upload_duration_seconds_count{provider="fake-provider",result="ready"}'), 1);
  assert.equal(sample(text, 'nodepool_cloud_api_call_duration_seconds_count{provider="fake-provider",operation="upload-image",outcome="ok"}'), 1);
  assert.equal(sample(text, 'nodepool_zookeeper_connection_state{state="connected"}'), 1);
  assert.equal((await fetch(`${url}/`)).status, 404);
});

test("--metrics-port takes PORT or HOST:PORT", () => {
  assert.deepEqual(parseMetricsListen("9102"), { host: "0.0.0.0", port: 9102 });
  assert.deepEqual(parseMetricsListen("127.0.0.1:9102"), { host: "127.0.0.1", port: 9102 });
  assert.deepEqual(parseMetricsListen("[::1]:9102"), { host: "::1", port: 9102 });
  for (const bad of ["", "port", "70000", "127.0.0.1:"]) assert.throws(() => parseMetricsListen(bad), UsageError, bad);
});
