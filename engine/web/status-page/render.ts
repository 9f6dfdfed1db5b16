/**
 * The status page's HTML, rendered on the server from a fleet summary (engine/status/fleet.ts):
 * pure functions, one per section, so the first render and every live update are the same
 * markup. Ages are `<time data-epoch>` elements the page's script keeps current: written out in
 * the first render, left for the script in updates, so a section changes only when the fleet
 * does, not every second.
 */
import type { FleetSummary, NodeTally, ProviderSummary, QuotaFigures } from "../../status/fleet.ts";
import { NODE_STATES, type NodeState } from "../../zk/records/node.ts";

export const SECTIONS = ["fleet", "requests", "providers", "images", "events"] as const;
export type SectionId = (typeof SECTIONS)[number];
export type RenderedSections = Record<SectionId, string>;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = escapeHtml;

/** "42s", "3m 5s", "2h 10m", "3d 4h": two units at most. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** `now` null: the age is left for the page's script. */
function age(epoch: number, now: number | null): string {
  return `<time data-epoch="${epoch}" datetime="${new Date(epoch * 1000).toISOString()}">${now === null ? "" : formatAge(now - epoch)}</time>`;
}

/** States worth a column: the common ones always, the rest when some node is in them. */
function stateColumns(totals: NodeTally): NodeState[] {
  const always = new Set<NodeState>(["building", "ready", "in-use", "deleting"]);
  return NODE_STATES.filter((state) => always.has(state) || totals.byState[state] > 0);
}

function tallyTable(kind: "provider" | "label", rows: readonly NodeTally[], columns: readonly NodeState[], extra?: { header: string; value: (name: string) => number }): string {
  const head = `<tr><th>${kind === "provider" ? "Provider" : "Label"}</th>${columns.map((c) => `<th class="n">${e(c)}</th>`).join("")}<th class="n">total</th>${extra ? `<th class="n">${e(extra.header)}</th>` : ""}</tr>`;
  const body = rows
    .map((row) => {
      const cells = columns.map((state) => `<td class="n${row.byState[state] === 0 ? " zero" : ""}" data-${kind}="${e(row.name)}" data-state="${state}">${row.byState[state]}</td>`).join("");
      const more = extra ? `<td class="n" data-${kind}="${e(row.name)}" data-state="waiting">${extra.value(row.name)}</td>` : "";
      return `<tr><th>${e(row.name)}</th>${cells}<td class="n total" data-${kind}="${e(row.name)}" data-state="total">${row.total}</td>${more}</tr>`;
    })
    .join("");
  return `<table class="counts"><thead>${head}</thead><tbody>${body || `<tr><td colspan="${columns.length + 2}" class="empty">none</td></tr>`}</tbody></table>`;
}

export function renderFleet(s: FleetSummary): string {
  const columns = stateColumns(s.totals);
  const tiles = [...columns, "total" as const]
    .map((state) => {
      const value = state === "total" ? s.totals.total : s.totals.byState[state];
      return `<div class="tile state-${state}"><span class="value" data-total="${state}">${value}</span><span class="name">${state}</span></div>`;
    })
    .join("");
  const waiting = (label: string): number => s.requests.waitingByLabel.get(label) ?? 0;
  // Labels asked for with no node yet still show, with their waiting requests.
  const labels = [...s.labels];
  for (const label of s.requests.waitingByLabel.keys()) {
    if (!labels.some((l) => l.name === label)) labels.push({ name: label, byState: Object.fromEntries(NODE_STATES.map((st) => [st, 0])) as NodeTally["byState"], total: 0 });
  }
  labels.sort((a, b) => a.name.localeCompare(b.name));
  return `<div class="tiles">${tiles}</div>
<h3>By provider</h3>${tallyTable("provider", s.providers.map((p) => p.nodes), columns)}
<h3>By label</h3>${tallyTable("label", labels, columns, { header: "waiting", value: waiting })}`;
}

export function renderRequests(s: FleetSummary, now: number | null): string {
  const r = s.requests;
  const oldest = r.waiting > 0 ? `; the oldest has waited <strong>${age(s.at - r.oldestWaitingAge, now)}</strong>` : "";
  const rows = r.queue
    .map(
      (q) =>
        `<tr data-request="${e(q.id)}"><td><code>${e(q.id)}</code></td><td>${e(q.state)}</td><td>${e(q.requestor ?? "")}</td><td>${e(q.labels.join(", "))}</td><td class="n">${age(q.since, now)}</td></tr>`,
    )
    .join("");
  const more = r.waiting > r.queue.length ? `<p class="more">and ${r.waiting - r.queue.length} more waiting</p>` : "";
  return `<p><span class="value" data-requests="waiting">${r.waiting}</span> waiting (${r.byState.requested} requested, ${r.byState.pending} pending)${oldest}.</p>
${r.queue.length > 0 ? `<table><thead><tr><th>Request</th><th>State</th><th>Requestor</th><th>Labels</th><th class="n">Waiting</th></tr></thead><tbody>${rows}</tbody></table>${more}` : `<p class="empty">No request waits.</p>`}`;
}

function quotaCell(used: number, limit: number | null, unit = ""): string {
  return limit === null ? `${used}${unit} / –` : `${used}${unit} / ${limit}${unit}${used >= limit ? ' <span class="bad">full</span>' : ""}`;
}

function providerRow(p: ProviderSummary): string {
  const status = p.ready ? `<span class="ok">ready</span>` : `<span class="bad">not ready</span> <span class="why">${e(p.reason ?? "")}</span>`;
  const limit: QuotaFigures = p.limit;
  const pools = p.pools
    .map((pool) => `${e(pool.name)} (max-servers ${pool.maxServers ?? "∞"})${pool.paused ? ' <span class="warn" data-paused="true">paused</span>' : ""}`)
    .join("<br>");
  return `<tr data-provider-row="${e(p.name)}"><th>${e(p.name)}</th><td>${status}</td><td class="n">${quotaCell(p.used.instances, limit.instances)}</td><td class="n">${quotaCell(p.used.cores, limit.cores)}</td><td class="n">${quotaCell(p.used.ram, limit.ram, " MiB")}</td><td>${pools}</td></tr>`;
}

export function renderProviders(s: FleetSummary): string {
  if (s.providers.length === 0) return `<p class="empty">No provider configured.</p>`;
  return `<table><thead><tr><th>Provider</th><th>Status</th><th class="n">Instances</th><th class="n">Cores</th><th class="n">RAM</th><th>Pools</th></tr></thead><tbody>${s.providers.map(providerRow).join("")}</tbody></table>`;
}

export function renderImages(s: FleetSummary, now: number | null): string {
  if (s.images.length === 0) return `<p class="empty">No image builds.</p>`;
  const rows = s.images
    .flatMap((image) => {
      const name = `${e(image.name)}${image.paused ? ' <span class="warn">paused</span>' : ""}`;
      if (image.builds.length === 0) return [`<tr><th>${name}</th><td colspan="3" class="empty">no builds</td></tr>`];
      return image.builds.map((build, i) => {
        const uploads = build.uploads.map((u) => `${e(u.provider)}: <span class="st-${u.state}">${u.state}</span> ${age(u.since, now)}`).join("<br>");
        return `<tr>${i === 0 ? `<th rowspan="${image.builds.length}">${name}</th>` : ""}<td><code>${e(build.id)}</code> <span class="st-${build.state}">${build.state}</span></td><td class="n">${age(build.since, now)}</td><td>${uploads || '<span class="empty">none</span>'}</td></tr>`;
      });
    })
    .join("");
  return `<table><thead><tr><th>Image</th><th>Build</th><th class="n">Age</th><th>Uploads</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderEvents(s: FleetSummary, now: number | null): string {
  if (s.events.length === 0) return `<p class="empty">Nothing to report.</p>`;
  const items = [...s.events]
    .reverse()
    .map((ev) => `<li class="${ev.kind}">${age(ev.at, now)} ago <span class="kind">${ev.kind === "launch-failed" ? "launch failed" : "leak removed"}</span> ${ev.provider ? `<strong>${e(ev.provider)}</strong> ` : ""}${e(ev.text)}</li>`)
    .join("");
  return `<ul class="events">${items}</ul>`;
}

/** `ages` false: ages left for the page's script (live updates). */
export function renderSections(s: FleetSummary, ages: boolean): RenderedSections {
  const now = ages ? s.at : null;
  return { fleet: renderFleet(s), requests: renderRequests(s, now), providers: renderProviders(s), images: renderImages(s, now), events: renderEvents(s, now) };
}

const TITLES: Record<SectionId, string> = { fleet: "Nodes", requests: "Request queue", providers: "Providers", images: "Images", events: "Recent events" };

/** The whole page: the sections, the styles and the script that applies the live updates. */
export function renderPage(s: FleetSummary, sections: RenderedSections): string {
  const body = SECTIONS.map((id) => `<section><h2>${TITLES[id]}</h2><div id="${id}">${sections[id]}</div></section>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nodepool status</title>
<style>${STYLE}</style>
</head>
<body data-server-time="${s.at}">
<header><h1>Nodepool</h1><span id="live" class="live">live</span><span class="updated">updated <time id="updated" data-epoch="${s.at}">0s</time> ago</span></header>
<main>
${body}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { --fg:#1d2430; --muted:#6b7687; --line:#dde2ea; --bg:#f6f7f9; --ok:#1a7f37; --bad:#c62828; --warn:#a15c00; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; align-items:baseline; gap:1rem; padding:.8rem 1.5rem; background:#fff; border-bottom:1px solid var(--line); }
h1 { font-size:1.25rem; margin:0; }
h2 { font-size:1rem; margin:0 0 .6rem; }
h3 { font-size:.85rem; margin:1rem 0 .4rem; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
main { display:grid; grid-template-columns:repeat(auto-fit, minmax(34rem, 1fr)); gap:1rem; padding:1rem 1.5rem; }
section { background:#fff; border:1px solid var(--line); border-radius:6px; padding:1rem 1.2rem; overflow-x:auto; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.25rem .6rem .25rem 0; border-bottom:1px solid var(--line); vertical-align:top; }
thead th { font-size:.8rem; color:var(--muted); font-weight:600; }
.n { text-align:right; font-variant-numeric:tabular-nums; }
.zero { color:#b7bfcb; }
.total { font-weight:600; }
.tiles { display:flex; flex-wrap:wrap; gap:.5rem; }
.tile { border:1px solid var(--line); border-radius:6px; padding:.4rem .8rem; min-width:5.5rem; }
.tile .value { display:block; font-size:1.5rem; font-weight:600; font-variant-numeric:tabular-nums; }
.tile .name { color:var(--muted); font-size:.8rem; }
.state-ready .value { color:var(--ok); } .state-failed .value { color:var(--bad); }
.ok { color:var(--ok); font-weight:600; } .bad { color:var(--bad); font-weight:600; } .warn { color:var(--warn); font-weight:600; }
.why { color:var(--muted); }
.empty, .more { color:var(--muted); }
.st-ready { color:var(--ok); } .st-failed { color:var(--bad); } .st-building, .st-uploading { color:var(--warn); }
.events { list-style:none; margin:0; padding:0; }
.events li { padding:.3rem 0; border-bottom:1px solid var(--line); }
.events .kind { font-weight:600; }
.events .launch-failed .kind { color:var(--bad); }
.live { font-size:.8rem; color:var(--ok); }
.live.down { color:var(--bad); }
.updated { color:var(--muted); font-size:.8rem; margin-left:auto; }
code { font-size:.85em; }
`;

/** Applies the server's section updates and keeps the ages current; no build step, no library. */
const SCRIPT = `
(function () {
  var offset = Number(document.body.dataset.serverTime) * 1000 - Date.now();
  function fmt(s) {
    s = Math.max(0, Math.floor(s));
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m " + (s % 60) + "s";
    if (s < 86400) return Math.floor(s / 3600) + "h " + Math.floor((s % 3600) / 60) + "m";
    return Math.floor(s / 86400) + "d " + Math.floor((s % 86400) / 3600) + "h";
  }
  function tick() {
    var now = (Date.now() + offset) / 1000;
    var times = document.querySelectorAll("time[data-epoch]");
    for (var i = 0; i < times.length; i++) times[i].textContent = fmt(now - Number(times[i].dataset.epoch));
  }
  setInterval(tick, 1000);
  var live = document.getElementById("live");
  var source = new EventSource("status/events");
  source.addEventListener("sections", function (event) {
    var update = JSON.parse(event.data);
    offset = update.at * 1000 - Date.now();
    for (var id in update.sections) document.getElementById(id).innerHTML = update.sections[id];
    document.getElementById("updated").dataset.epoch = update.at;
    tick();
  });
  source.onopen = function () { live.textContent = "live"; live.className = "live"; };
  source.onerror = function () { live.textContent = "reconnecting"; live.className = "live down"; };
})();
`;
