/**
 * The launcher's web API (behaviour.md §6). The launcher daemon calls
 * `startWebApp({ zk, config, log, notReadyReason, metrics, status })` when its config has `webapp`
 * (unless told not to) and `close()` on shutdown; `buildWebApp` gives the unstarted fastify app
 * for tests. `status` is a `StatusFeed` over the launcher's fleet: the live page at `/`.
 */
import type { WebappConfig } from "../../schema/index.ts";
import { buildWebApp, type WebAppOptions } from "./app.ts";

export { buildWebApp, CACHE_SECONDS, type WebApp, type WebAppOptions } from "./app.ts";
export { BadQueryError, parseListingQuery, type ListingQuery } from "./query.ts";
export { wantsJson } from "./negotiate.ts";
export { ResultCache, type CachedResult } from "./cache.ts";
export { StatusFeed, UPDATE_MS, type StatusFeedOptions } from "./status-page/feed.ts";

export interface StartWebAppOptions extends WebAppOptions {
  /** The config's `webapp` (port 8005 on 0.0.0.0 when absent). */
  readonly config: { readonly webapp?: Partial<WebappConfig> | undefined };
  /** Overrides `webapp.port` (0: any free port, for tests). */
  readonly port?: number;
  /** How long to wait before trying a taken address again (WEB_RETRY_MS). */
  readonly retryMs?: number;
}

export interface RunningWebApp {
  /** `http://host:port` it listens on; undefined while the address is taken and it waits to retry. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

/** How long a launcher whose web address is taken waits before trying it again. */
export const WEB_RETRY_MS = 10_000;

/** The socket errors that mean "this address cannot be had now", which waiting may cure. */
const ADDRESS_ERRORS = new Set(["EADDRINUSE", "EACCES", "EADDRNOTAVAIL"]);

function addressError(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && ADDRESS_ERRORS.has(code) ? code : undefined;
}

/**
 * Serves the web API. An address that is taken (another launcher on the port, a port below 1024
 * without the right) is logged once with what to change, and the launcher goes on without the web
 * API, trying the address again every WEB_RETRY_MS until it gets it. Other errors are thrown.
 */
export async function startWebApp(options: StartWebAppOptions): Promise<RunningWebApp> {
  const retryMs = options.retryMs ?? WEB_RETRY_MS;
  const host = options.config.webapp?.listen_address ?? "0.0.0.0";
  const port = options.port ?? options.config.webapp?.port ?? 8005;
  let app = buildWebApp(options);
  let url: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const listen = async (attempt: number): Promise<void> => {
    try {
      url = await app.listen({ host, port });
      options.log.info({ url, attempts: attempt }, "web API listening");
    } catch (error) {
      const code = addressError(error);
      if (code === undefined) throw error;
      await app.close();
      if (attempt === 1) {
        options.log.error(
          { host, port, code, retryMs },
          `web API cannot listen on ${host}:${port} (${code}): the launcher goes on without it and tries again; free the port or set webapp.port`,
        );
      } else {
        options.log.debug({ host, port, code, attempts: attempt }, "web API address still taken");
      }
      if (closed) return;
      app = buildWebApp(options);
      timer = setTimeout(() => void listen(attempt + 1).catch((e: unknown) => options.log.error({ err: e }, "web API failed")), retryMs);
      timer.unref();
    }
  };
  await listen(1);
  return {
    get url() {
      return url;
    },
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await app.close();
    },
  };
}
