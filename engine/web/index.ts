/**
 * The launcher's web API (behaviour.md §6). The launcher daemon calls
 * `startWebApp({ zk, config, log, isReady })` when its config has `webapp` (unless told not
 * to) and `close()` on shutdown; `buildWebApp` gives the unstarted fastify app for tests.
 */
import type { WebappConfig } from "../../schema/index.ts";
import { buildWebApp, type WebApp, type WebAppOptions } from "./app.ts";

export { buildWebApp, CACHE_SECONDS, type WebApp, type WebAppOptions } from "./app.ts";
export { BadQueryError, parseListingQuery, type ListingQuery } from "./query.ts";
export { wantsJson } from "./negotiate.ts";
export { ResultCache, type CachedResult } from "./cache.ts";
export { StatusFeed, UPDATE_MS, type StatusFeedOptions } from "./status-page/feed.ts";
export { renderPage, renderSections, SECTIONS, type RenderedSections, type SectionId } from "./status-page/render.ts";

export interface StartWebAppOptions extends WebAppOptions {
  /** The config's `webapp` (port 8005 on 0.0.0.0 when absent). */
  readonly config: { readonly webapp?: Partial<WebappConfig> | undefined };
  /** Overrides `webapp.port` (0: any free port, for tests). */
  readonly port?: number;
}

export interface RunningWebApp {
  readonly app: WebApp;
  /** `http://host:port` it listens on. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startWebApp(options: StartWebAppOptions): Promise<RunningWebApp> {
  const app = buildWebApp(options);
  const host = options.config.webapp?.listen_address ?? "0.0.0.0";
  const port = options.port ?? options.config.webapp?.port ?? 8005;
  const url = await app.listen({ host, port });
  options.log.info({ url }, "web API listening");
  return { app, url, close: () => app.close() };
}
