/**
 * The launcher's web API (behaviour.md §6): the listings of engine/status as text tables or
 * JSON, cached for a second, `/ready` for readiness probes, and when the launcher provides
 * them, `/metrics` for Prometheus and the live status page at `/` (its updates at
 * `/status/events`). All read-only.
 */
import Fastify, { LogController, type FastifyError, type FastifyReply } from "fastify";
import type { Logger } from "../log.ts";
import { STATUS_LISTINGS, UnknownFieldsError, type ListingName } from "../status/index.ts";
import type { NodepoolZk } from "../zk/index.ts";
import { ResultCache } from "./cache.ts";
import type { StatusFeed } from "./status-page/feed.ts";
import { wantsJson } from "./negotiate.ts";
import { BadQueryError, parseListingQuery } from "./query.ts";

export type WebApp = ReturnType<typeof buildWebApp>;

/** How long a listing is served from memory (and the Cache-Control max-age). */
export const CACHE_SECONDS = 1;

export interface WebAppOptions {
  readonly zk: NodepoolZk;
  readonly log: Logger;
  /** Null once every provider has started (behaviour.md §6.6), else why not (which provider, what failed). */
  readonly notReadyReason: () => string | null;
  /** Milliseconds since the epoch; tests move it. */
  readonly clock?: () => number;
  /** Served at `/metrics` (a prom-client registry). */
  readonly metrics?: { readonly contentType: string; metrics(): Promise<string> };
  /** The live status page at `/`. */
  readonly status?: StatusFeed;
}

const TEXT = "text/plain; charset=UTF-8";
const LISTINGS = Object.keys(STATUS_LISTINGS) as ListingName[];

export function buildWebApp(options: WebAppOptions) {
  const clock = options.clock ?? Date.now;
  const cache = new ResultCache(CACHE_SECONDS * 1000, clock);
  const app = Fastify({
    loggerInstance: options.log.child({ component: "webapp" }),
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("Access-Control-Allow-Origin", "*");
    return payload;
  });

  for (const name of LISTINGS) {
    app.get(`/${name}`, async (request, reply) => {
      const query = parseListingQuery(name, request.query);
      const json = wantsJson(request.headers.accept);
      const key = `${request.url}\u0000${json ? "json" : "text"}`;
      const result = await cache.get(key, () =>
        STATUS_LISTINGS[name].render(options.zk, { json, now: clock() / 1000, ...query }),
      );
      const lastModified = new Date(result.producedMs);
      reply.header("Cache-Control", `public, max-age=${CACHE_SECONDS}`);
      reply.header("Last-Modified", lastModified.toUTCString());
      reply.header("Expires", new Date(result.producedMs + CACHE_SECONDS * 1000).toUTCString());
      if (notModifiedSince(request.headers["if-modified-since"], result.producedMs)) return reply.code(304).send();
      // A Buffer, so that fastify adds no charset to application/json (the reference sends none).
      return reply.type(json ? "application/json" : TEXT).send(json ? Buffer.from(result.body) : result.body);
    });
  }

  app.get("/ready", async (_request, reply) => {
    reply.header("Cache-Control", "no-store").type(TEXT);
    const reason = options.notReadyReason();
    return reason === null ? reply.code(200).send("OK") : reply.code(500).send(`Not ready: ${reason}`);
  });

  const endpoints = [...LISTINGS, "ready"];
  const { metrics, status } = options;
  if (metrics) {
    endpoints.push("metrics");
    app.get("/metrics", async (_request, reply) => reply.header("Cache-Control", "no-store").type(metrics.contentType).send(await metrics.metrics()));
  }
  if (status) {
    endpoints.unshift("");
    app.get("/", async (_request, reply) => reply.header("Cache-Control", "no-store").type("text/html; charset=UTF-8").send(status.page()));
    app.get("/status/events", (_request, reply) => {
      reply.hijack();
      status.attach(reply.raw);
    });
    // Open event streams would keep the server from closing.
    app.addHook("preClose", async () => status.endStreams());
  }

  app.setNotFoundHandler(async (request, reply) =>
    plain(reply, 404, `Not found: ${request.url.split("?")[0] ?? ""}; endpoints: ${endpoints.map((n) => `/${n}`).join(", ")}`),
  );

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof BadQueryError || error instanceof UnknownFieldsError) return plain(reply, 400, `Bad request: ${error.message}`);
    if (error.statusCode !== undefined && error.statusCode < 500) return plain(reply, error.statusCode, error.message);
    request.log.error({ err: error, url: request.url }, "web request failed");
    return plain(reply, 500, `Internal error: ${error.message}`);
  });

  return app;
}

function plain(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type(TEXT).send(body);
}

/** If-Modified-Since honoured at HTTP-date resolution (whole seconds). */
function notModifiedSince(header: string | undefined, producedMs: number): boolean {
  if (header === undefined) return false;
  const since = Date.parse(header);
  return Number.isFinite(since) && since >= Math.floor(producedMs / 1000) * 1000;
}
