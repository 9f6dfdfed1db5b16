import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { buildWebApp, startWebApp } from "../../../engine/web/index.ts";
import { newNode, type NodepoolZk } from "../../../engine/zk/index.ts";
import { zkForTest } from "../../helpers/zk.ts";
import { seedTree, T0 } from "../status/_seed.ts";

const log = pino({ level: "silent" });
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

function appFor(zk: NodepoolZk, options: { notReady?: () => string | null; clock?: () => number } = {}) {
  return buildWebApp({ zk, log, notReadyReason: options.notReady ?? (() => "starting"), clock: options.clock ?? (() => (T0 + 7) * 1000) });
}

test("every listing serves JSON for application/json and the text table otherwise, with CORS", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  await seedTree(zk, await connectAnother());
  const app = appFor(zk);
  for (const path of ["/node-list", "/image-list", "/dib-image-list", "/request-list", "/label-list"]) {
    const json = await app.inject({ url: path, headers: { accept: "application/json" } });
    assert.equal(json.statusCode, 200, path);
    assert.equal(json.headers["content-type"], "application/json");
    assert.equal(json.headers["access-control-allow-origin"], "*");
    assert.ok(Array.isArray(json.json()), path);
    for (const accept of [undefined, BROWSER, "text/plain", "image/png"]) {
      const text = await app.inject({ url: path, headers: accept === undefined ? {} : { accept } });
      assert.equal(text.statusCode, 200, `${path} ${accept}`);
      assert.equal(text.headers["content-type"], "text/plain; charset=UTF-8");
      assert.match(text.body, /^\+-/);
      assert.ok(!text.body.endsWith("\n"), "no trailing newline");
    }
  }
  const labels = await app.inject({ url: "/label-list", headers: { accept: "application/json" } });
  assert.deepEqual(labels.json(), [{ label: "a-label" }, { label: "b-label" }, { label: "fake-label" }]);
});

test("fields restricts the text table only; node_id picks one node", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const seeded = await seedTree(zk, await connectAnother());
  const app = appFor(zk);
  const text = await app.inject({ url: "/image-list?fields=id,image,state" });
  assert.equal(text.body.split("\n")[3], "| 0000000001 | fake-image | ready     |");
  const json = await app.inject({ url: "/image-list?fields=id,image,state", headers: { accept: "application/json" } });
  assert.equal(Object.keys((json.json() as object[])[0] ?? {}).length, 8, "JSON keeps every key");
  const one = await app.inject({ url: `/node-list?node_id=${seeded.used.id}`, headers: { accept: "application/json" } });
  assert.deepEqual((one.json() as { id: string }[]).map((n) => n.id), [seeded.used.id]);
  const none = await app.inject({ url: "/node-list?node_id=0000009999", headers: { accept: "application/json" } });
  assert.equal(none.statusCode, 200);
  assert.equal(none.body, "[]");
  const noneText = await app.inject({ url: "/node-list?node_id=0000009999&fields=id,state" });
  assert.equal(noneText.body, ["+----+-------+", "| ID | State |", "+----+-------+", "+----+-------+"].join("\n"));
});

test("a bad query gets a 400 that says why; an unknown path a 404", async (t) => {
  const { zk } = await zkForTest(t);
  const app = appFor(zk);
  const cases: [string, RegExp][] = [
    ["/image-list?node_id=1", /unknown query parameter node_id; \/image-list takes fields/],
    ["/node-list?feilds=id", /unknown query parameter feilds; \/node-list takes fields and node_id/],
    ["/node-list?fields=id&fields=state", /query parameter fields is given more than once; give it once \(fields takes a comma-separated list: fields=a,b\)$/m],
    ["/node-list?node_id=a&node_id=b", /query parameter node_id is given more than once; give it once \(node_id names one node; leave it out to list every node\)$/m],
    ["/node-list?fields=", /fields is empty/],
    ["/label-list?fields=name", /none of the fields name exist in label-list; its fields are label/],
  ];
  for (const [url, reason] of cases) {
    const response = await app.inject({ url });
    assert.equal(response.statusCode, 400, url);
    assert.match(response.body, reason, url);
  }
  const missing = await app.inject({ url: "/nodes" });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /Not found: \/nodes; endpoints: \/node-list/);
});

test("results are cached for a second, with Last-Modified, Expires and 304", async (t) => {
  const { zk } = await zkForTest(t);
  let nowMs = T0 * 1000;
  const app = appFor(zk, { clock: () => nowMs });
  const first = await app.inject({ url: "/node-list", headers: { accept: "application/json" } });
  assert.equal(first.body, "[]");
  assert.equal(first.headers["cache-control"], "public, max-age=1");
  assert.equal(first.headers["last-modified"], new Date(T0 * 1000).toUTCString());
  assert.equal(first.headers.expires, new Date(T0 * 1000 + 1000).toUTCString());

  await zk.storeNode(newNode({ state: "ready", provider: "p" }, T0));
  nowMs += 500;
  const cached = await app.inject({ url: "/node-list", headers: { accept: "application/json" } });
  assert.equal(cached.body, "[]", "the same bytes within the second");
  const text = await app.inject({ url: "/node-list" });
  assert.match(text.body, /\| 0000000000 \|/, "text and JSON are cached apart");
  const notModified = await app.inject({ url: "/node-list", headers: { accept: "application/json", "if-modified-since": first.headers["last-modified"] as string } });
  assert.equal(notModified.statusCode, 304);
  assert.equal(notModified.body, "");

  nowMs += 600;
  const fresh = await app.inject({ url: "/node-list", headers: { accept: "application/json", "if-modified-since": first.headers["last-modified"] as string } });
  assert.equal(fresh.statusCode, 200, "modified since: a new result");
  assert.equal((fresh.json() as unknown[]).length, 1);
});

test("/ready answers 500 with the reason until the launcher says it is ready, then 200; never cached", async (t) => {
  const { zk } = await zkForTest(t);
  let reason: string | null = "provider cloud-a: authentication failed";
  const app = appFor(zk, { notReady: () => reason });
  const notReady = await app.inject({ url: "/ready" });
  assert.equal(notReady.statusCode, 500);
  assert.equal(notReady.body, "Not ready: provider cloud-a: authentication failed");
  reason = null;
  const response = await app.inject({ url: "/ready", headers: { accept: "application/json" } });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers["cache-control"], "no-store");
});

test("ZooKeeper trouble is a 500", async (t) => {
  const { connectAnother } = await zkForTest(t);
  const zk = await connectAnother();
  const app = appFor(zk);
  zk.close();
  const response = await app.inject({ url: "/request-list" });
  assert.equal(response.statusCode, 500);
  assert.match(response.body, /^Internal error: .*closed/);
});

test("startWebApp listens on the configured address and closes", async (t) => {
  const { zk } = await zkForTest(t);
  const web = await startWebApp({ zk, log, notReadyReason: () => null, config: { webapp: { listen_address: "127.0.0.1", port: 8005 } }, port: 0 });
  t.after(() => web.close());
  assert.match(String(web.url), /^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${web.url}/label-list`, { headers: { accept: "application/json" } });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "[]");
  assert.equal((await fetch(`${web.url}/ready`)).status, 200);
});

test("a web address already taken is logged once, the launcher goes on, and the address is taken when it frees", async (t) => {
  const { zk } = await zkForTest(t);
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const port = (holder.address() as AddressInfo).port;
  const lines: Array<Record<string, unknown>> = [];
  const recording = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const until = async (what: string, done: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!done()) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const config = { webapp: { listen_address: "127.0.0.1", port } };
  const web = await startWebApp({ zk, log: recording, notReadyReason: () => null, config, retryMs: 50 });
  t.after(() => web.close());
  assert.equal(web.url, undefined);
  const refused = lines.filter((line) => line["level"] === 50);
  assert.equal(refused.length, 1);
  assert.match(String(refused[0]?.["msg"]), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\).*goes on without it.*webapp\\.port`));
  assert.ok(!lines.some((line) => "stack" in line || /Internal Error/.test(String(line["msg"]))));
  await until("three retries", () => lines.filter((line) => line["msg"] === "web API address still taken").length >= 3);
  assert.equal(lines.filter((line) => line["level"] === 50).length, 1, "logged once, not at every retry");
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  await until("the freed address", () => web.url !== undefined);
  assert.equal(web.url, `http://127.0.0.1:${port}`);
  assert.equal((await fetch(`${web.url}/ready`)).status, 200);
});
