import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { test } from "node:test";
import { pino } from "pino";
import { countNodes, type FleetEvent, type FleetSource } from "../../../engine/status/fleet.ts";
import { buildWebApp, StatusFeed, UPDATE_MS } from "../../../engine/web/index.ts";
import { escapeHtml, formatAge } from "../../../engine/web/status-page/render.ts";
import { asNodeId, asRequestId, newNode, newRequest, type NodeRecord, type NodeRequestRecord } from "../../../engine/zk/index.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";

/** A fleet held in memory, as a daemon's caches would hold it. */
class MemoryFleet implements FleetSource {
  readonly nodes: NodeRecord[] = [];
  readonly requests = new Map<string, NodeRequestRecord>();
  readonly events: FleetEvent[] = [];
  readonly images = { images: () => [], isPaused: () => false, builds: () => [], providers: () => [], uploads: () => [] };
  private readonly listeners = new Set<() => void>();
  nodeCounts = () => countNodes(this.nodes);
  providers = () => [{ name: "east", ready: false, reason: "auth failed: <b>401</b>", limit: { instances: 4, cores: null, ram: null }, pools: [{ name: "main", maxServers: 4, paused: true }] }];
  recentEvents = () => this.events;
  onChange(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  change(): void {
    for (const listener of this.listeners) listener();
  }
}

interface Stream {
  readonly updates: { sections: Record<string, string> }[];
  close(): void;
}

function openStream(url: string): Stream {
  const updates: { sections: Record<string, string> }[] = [];
  let buffer = "";
  const req = httpRequest(`${url}/status/events`, (res) => {
    assert.equal(res.headers["content-type"], "text/event-stream; charset=utf-8");
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (/^event: sections$/m.test(message) && data) updates.push(JSON.parse(data) as { sections: Record<string, string> });
      }
    });
  });
  req.on("error", () => undefined);
  req.end();
  return { updates, close: () => req.destroy() };
}

test("the status page: aggregates, escaped text, and live updates of only what changed", async (t) => {
  const { zk } = await zkForTest(t);
  const fleet = new MemoryFleet();
  fleet.nodes.push({ ...newNode({ state: "ready", provider: "east", pool: "main", type: ["small"] }), id: asNodeId("0000000001") });
  fleet.requests.set("200-0000000001", { ...newRequest({ nodeTypes: ["<img src=x>"], requestor: "zuul<script>" }), id: asRequestId("200-0000000001") });
  const app = buildWebApp({ zk, log: pino({ level: "silent" }), notReadyReason: () => null, status: new StatusFeed({ source: fleet }) });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => app.close());

  const page = await fetch(`${url}/`);
  assert.equal(page.headers.get("content-type"), "text/html; charset=UTF-8");
  const html = await page.text();
  assert.match(html, /data-provider="east" data-state="ready">1</);
  assert.match(html, /data-requests="waiting">1</);
  assert.ok(html.includes("zuul&#60;script&#62;"));
  assert.ok(html.includes("&#60;img src=x&#62;"));
  assert.match(html, /not ready<\/span> <span class="why">auth failed: &#60;b&#62;401&#60;\/b&#62;/);
  assert.match(html, /data-paused="true"/);

  const stream = openStream(url);
  t.after(() => stream.close());
  const first = await waitFor("every section on connect", () => stream.updates[0]);
  assert.deepEqual(Object.keys(first.sections), ["fleet", "requests", "providers", "images", "events"]);

  // A node launched: the counts and the quota used change, and arrive without another request.
  fleet.nodes.push({ ...newNode({ state: "building", provider: "east", pool: "main", type: ["small"] }), id: asNodeId("0000000002") });
  const started = performance.now();
  fleet.change();
  const second = await waitFor("the fleet update", () => stream.updates[1], 5_000);
  assert.ok(performance.now() - started < UPDATE_MS + 1500);
  assert.deepEqual(Object.keys(second.sections), ["fleet", "providers"]);
  assert.match(second.sections.providers ?? "", />2 \/ 4</);
  assert.match(second.sections.fleet ?? "", /data-provider="east" data-state="building">1</);
  assert.match(second.sections.fleet ?? "", /data-total="total">2</);

  // A change that renders the same sends nothing.
  fleet.change();
  fleet.events.push({ at: Date.now() / 1000, kind: "launch-failed", provider: "east", text: "node 0000000002 failed: error.quota: <quota>" });
  fleet.change();
  const third = await waitFor("the events update", () => stream.updates[2], 5_000);
  assert.deepEqual(Object.keys(third.sections), ["events"]);
  assert.match(third.sections.events ?? "", /launch failed.*east.*&#60;quota&#62;/);
});

test("without a status feed or a registry, / and /metrics are not found", async (t) => {
  const { zk } = await zkForTest(t);
  const app = buildWebApp({ zk, log: pino({ level: "silent" }), notReadyReason: () => null });
  assert.equal((await app.inject({ url: "/" })).statusCode, 404);
  assert.equal((await app.inject({ url: "/metrics" })).statusCode, 404);
});

test("ages read in two units at most; HTML is escaped", () => {
  assert.deepEqual([0, 59, 61, 3599, 3661, 90000].map(formatAge), ["0s", "59s", "1m 1s", "59m 59s", "1h 1m", "1d 1h"]);
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
});
