/**
 * The live status page's feed: Server-Sent Events driven by the fleet's change notifications
 * (the watched caches), never by polling. Changes are gathered for at most UPDATE_MS; then the
 * summary is computed and rendered once and the sections that changed go to every open page
 * as one `sections` event. A page that connects (or reconnects) gets every section at once.
 */
import type { ServerResponse } from "node:http";
import { summariseFleet, type FleetSource, type FleetSummary } from "../../status/fleet.ts";
import { renderPage, renderSections, SECTIONS, type RenderedSections } from "./render.ts";

/** Longest a change waits before the pages hear of it (the page promises 2 s). */
export const UPDATE_MS = 500;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 20_000;
/** A page that stopped reading is dropped past this much unsent data (it reconnects and catches up). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface StatusFeedOptions {
  readonly source: FleetSource;
  /** Epoch milliseconds; tests move it. */
  readonly clock?: () => number;
}

export class StatusFeed {
  private readonly source: FleetSource;
  private readonly clock: () => number;
  /** Open pages, each with the sections it was last sent. */
  private readonly clients = new Map<ServerResponse, RenderedSections>();
  private readonly offChange: () => void;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly keepalive: NodeJS.Timeout;

  constructor(options: StatusFeedOptions) {
    this.source = options.source;
    this.clock = options.clock ?? Date.now;
    this.offChange = this.source.onChange(() => this.changed());
    this.keepalive = setInterval(() => this.broadcast(": keepalive\n\n"), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Open pages. */
  get size(): number {
    return this.clients.size;
  }

  /** The whole page, rendered now. */
  page(): string {
    const summary = this.summary();
    return renderPage(summary, renderSections(summary, true));
  }

  /** Streams updates to one page until it goes away. */
  attach(response: ServerResponse): void {
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      // nginx and friends would otherwise hold the stream back.
      "X-Accel-Buffering": "no",
    });
    response.on("close", () => this.clients.delete(response));
    const summary = this.summary();
    const sections = renderSections(summary, false);
    this.clients.set(response, sections);
    response.write(event(summary.at, sections));
  }

  /** Ends every open stream (the web server is closing; pages reconnect to the next one). */
  endStreams(): void {
    for (const client of this.clients.keys()) client.end();
    this.clients.clear();
  }

  /** Ends every stream and stops listening to the fleet. */
  close(): void {
    clearTimeout(this.timer);
    clearInterval(this.keepalive);
    this.offChange();
    this.endStreams();
  }

  private summary(): FleetSummary {
    return summariseFleet(this.source, this.clock() / 1000);
  }

  private changed(): void {
    if (this.timer !== undefined || this.clients.size === 0) return;
    const wait = Math.max(0, this.lastAt + UPDATE_MS - this.clock());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, wait);
  }

  private update(): void {
    if (this.clients.size === 0) return;
    const summary = this.summary();
    const sections = renderSections(summary, false);
    this.lastAt = this.clock();
    // Pages opened at different moments may differ in what they lack: one message per difference.
    const messages = new Map<string, string>();
    for (const [client, sent] of this.clients) {
      const changed = SECTIONS.filter((id) => sections[id] !== sent[id]);
      if (changed.length === 0) continue;
      const key = changed.join();
      let text = messages.get(key);
      if (text === undefined) messages.set(key, (text = event(summary.at, Object.fromEntries(changed.map((id) => [id, sections[id]])))));
      this.clients.set(client, sections);
      this.send(client, text);
    }
  }

  private broadcast(text: string): void {
    for (const client of this.clients.keys()) this.send(client, text);
  }

  private send(client: ServerResponse, text: string): void {
    if (client.writableLength > MAX_BUFFERED_BYTES) {
      client.destroy();
      this.clients.delete(client);
    } else client.write(text);
  }
}

function event(at: number, sections: Partial<RenderedSections>): string {
  return `event: sections\ndata: ${JSON.stringify({ at, sections })}\n\n`;
}
