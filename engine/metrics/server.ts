/**
 * The builder's `/metrics` endpoint (`nodepool-builder --metrics-port [HOST:]PORT`): Nodepool's
 * builder has no web port, so this is a small one serving the registry and nothing else.
 */
import Fastify from "fastify";
import type { Registry } from "prom-client";
import { UsageError } from "../errors.ts";
import type { Logger } from "../log.ts";

export interface MetricsListen {
  readonly host: string;
  readonly port: number;
}

/** `PORT` (every address, like the launcher's web API) or `HOST:PORT`; 0 picks a free port. */
export function parseMetricsListen(text: string): MetricsListen {
  const match = /^(?:(.+):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new UsageError(`--metrics-port must be PORT or HOST:PORT with a port from 0 to 65535, got ${text}`);
  return { host: (match[1] ?? "0.0.0.0").replace(/^\[(.*)\]$/, "$1"), port };
}

export interface RunningMetricsServer {
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: { listen: MetricsListen; registry: Registry; log: Logger }): Promise<RunningMetricsServer> {
  const app = Fastify({ loggerInstance: options.log.child({ component: "metrics" }), disableRequestLogging: true });
  app.get("/metrics", async (_request, reply) => reply.type(options.registry.contentType).send(await options.registry.metrics()));
  app.setNotFoundHandler(async (request, reply) => reply.code(404).type("text/plain; charset=UTF-8").send(`Not found: ${request.url.split("?")[0] ?? ""}; the builder serves /metrics only`));
  const url = await app.listen({ host: options.listen.host, port: options.listen.port });
  options.log.info({ url: `${url}/metrics` }, "metrics endpoint listening");
  return { url, close: () => app.close() };
}
