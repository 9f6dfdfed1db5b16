/**
 * One authenticated connection to a cloud: Keystone v3 tokens (password or application
 * credential), the service catalog, and every API call made through `call()`, which waits for
 * the provider's `rate`, times and counts the call (`nodepool.task.<provider>.<Operation>`),
 * renews the token before it expires and once after a 401, and turns error answers into the
 * typed errors of ./errors.ts.
 */
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { Agent, request, type Dispatcher } from "undici";
import { z } from "zod";
import { RateLimiter } from "../../reconcile/rate.ts";
import type { CloudAuth, CloudConfig, ServiceType } from "./clouds-config.ts";
import {
  CloudConfigError,
  isQuotaRefusal,
  OpenStackApiError,
  OpenStackAuthError,
  OpenStackNotFoundError,
  OpenStackQuotaError,
  OpenStackResponseError,
  OpenStackUnreachableError,
} from "./errors.ts";

/** One finished API call, for statsd timers and per-node call counts. */
export interface ApiCall {
  operation: string;
  service: ServiceType | "identity";
  method: string;
  /** HTTP status, or null when the cloud could not be reached. */
  status: number | null;
  ms: number;
}

export type ApiCallListener = (call: ApiCall) => void;

export interface SessionOptions {
  /** Minimum seconds between calls (the provider's `rate`); 0 for none. */
  rate?: number;
  /** Seconds one call (other than an upload) may take. */
  timeout?: number;
  onCall?: ApiCallListener;
}

export interface CallOptions<T> {
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  body?: unknown;
  /** A streamed request body (an image upload) with its length. */
  stream?: { body: Readable; length: number; contentType: string };
  headers?: Record<string, string>;
  /** Validates and types the JSON answer; omitted when the answer has no body of interest. */
  schema?: z.ZodType<T>;
  signal?: AbortSignal;
  /** No per-call timeout (uploads take as long as they take, bounded by `signal`). */
  untimed?: boolean;
}

/** Renew a token when less than this remains (or half its lifetime, if that is shorter). */
const RENEW_BEFORE_MS = 5 * 60_000;

const catalogSchema = z.array(
  z.looseObject({
    type: z.string(),
    endpoints: z.array(z.looseObject({ interface: z.string(), url: z.string(), region_id: z.string().nullish(), region: z.string().nullish() })),
  }),
);
const tokenSchema = z.looseObject({
  token: z.looseObject({
    expires_at: z.string(),
    issued_at: z.string().optional(),
    project: z.looseObject({ id: z.string(), name: z.string().optional() }).optional(),
    application_credential: z.looseObject({ id: z.string() }).optional(),
    catalog: catalogSchema.default([]),
  }),
});

interface Token {
  value: string;
  expiresAt: number;
  renewAt: number;
  projectId: string | null;
  endpoints: Map<ServiceType, string>;
}

/** Where each service's versioned API lives below the catalog's URL. */
const VERSION_SUFFIX: Record<ServiceType, string> = { compute: "", network: "/v2.0", image: "/v2" };

export class Session {
  private token: Token | null = null;
  private authenticating: Promise<Token> | null = null;
  private readonly rate: RateLimiter;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly listeners: ApiCallListener[] = [];

  constructor(
    readonly cloud: CloudConfig,
    options: SessionOptions = {},
  ) {
    this.rate = new RateLimiter((options.rate ?? 0) * 1000);
    this.timeoutMs = (options.timeout ?? 60) * 1000;
    if (options.onCall) this.listeners.push(options.onCall);
    const ca = cloud.cacert ? readFileSync(cloud.cacert) : undefined;
    this.dispatcher = new Agent({ connect: { rejectUnauthorized: cloud.verify, ...(ca ? { ca } : {}) } });
  }

  onCall(listener: ApiCallListener): void {
    this.listeners.push(listener);
  }

  /** The project the token is scoped to (Nova and Glance list only its resources). */
  async projectId(signal?: AbortSignal): Promise<string | null> {
    return (await this.currentToken(signal)).projectId;
  }

  /** Checks the credentials and the catalog now, so a provider with bad ones fails at start. */
  async authenticate(signal?: AbortSignal): Promise<void> {
    this.token = null;
    await this.currentToken(signal);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** One API call to `service`; `path` is below the service's versioned root. */
  async call<T = undefined>(operation: string, service: ServiceType, method: string, path: string, options: CallOptions<T> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.currentToken(options.signal);
      const base = token.endpoints.get(service);
      if (base === undefined) throw new CloudConfigError(this.noEndpoint(service));
      const url = new URL(base + path);
      for (const [key, value] of Object.entries(options.query ?? {})) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
      }
      const headers: Record<string, string> = { "x-auth-token": token.value, accept: "application/json", ...options.headers };
      let body: string | Readable | undefined;
      if (options.stream) {
        body = options.stream.body;
        headers["content-type"] = options.stream.contentType;
        headers["content-length"] = String(options.stream.length);
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["content-type"] ??= "application/json";
      }
      const answer = await this.send(operation, service, method, url, headers, body, options);
      // An expired or revoked token: authenticate again once (a streamed body cannot be replayed).
      if (answer.status === 401 && attempt === 1 && !options.stream) {
        if (this.token === token) this.token = null;
        continue;
      }
      if (answer.status >= 400) throw errorFor(operation, answer.status, answer.text);
      if (!options.schema) return undefined as T;
      return parseAnswer(operation, answer.text, options.schema);
    }
  }

  /** Follows a listing's `next` links (Nova/Neutron `*_links`, Glance `next`) to its end. */
  async list<T>(
    operation: string,
    service: ServiceType,
    path: string,
    key: string,
    item: z.ZodType<T>,
    options: Omit<CallOptions<never>, "schema"> = {},
  ): Promise<T[]> {
    const page = z.looseObject({
      [key]: z.array(item),
      [`${key}_links`]: z.array(z.looseObject({ rel: z.string(), href: z.string() })).optional(),
      next: z.string().optional(),
    });
    const items: T[] = [];
    let query = options.query;
    for (let pages = 0; pages < 1000; pages++) {
      const answer = (await this.call(operation, service, "GET", path, { ...options, query, schema: page })) as Record<string, unknown>;
      items.push(...(answer[key] as T[]));
      const links = answer[`${key}_links`] as { rel: string; href: string }[] | undefined;
      const next = links?.find((l) => l.rel === "next")?.href ?? (answer.next as string | undefined);
      if (!next) return items;
      const marker = new URL(next, "http://x").searchParams.get("marker");
      if (!marker) return items;
      query = { ...query, marker };
    }
    throw new OpenStackResponseError(`${operation}: more than 1000 pages; the listing does not end`);
  }

  private async send(
    operation: string,
    service: ServiceType | "identity",
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | Readable | undefined,
    options: { signal?: AbortSignal; untimed?: boolean },
  ): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
    await this.rate.slot();
    options.signal?.throwIfAborted();
    const signals = [options.signal, options.untimed ? undefined : AbortSignal.timeout(this.timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
    const started = performance.now();
    let status: number | null = null;
    try {
      const answer = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher: this.dispatcher,
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      });
      status = answer.statusCode;
      const text = await answer.body.text();
      return { status, text, headers: answer.headers };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const reason = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
      throw new OpenStackUnreachableError(`${operation}: ${method} ${url.origin}${url.pathname} failed: ${reason}`, { cause: error });
    } finally {
      const call: ApiCall = { operation, service, method, status, ms: performance.now() - started };
      for (const listener of this.listeners) listener(call);
    }
  }

  private async currentToken(signal?: AbortSignal): Promise<Token> {
    if (this.token && Date.now() < this.token.renewAt) return this.token;
    this.authenticating ??= this.issueToken(signal).finally(() => {
      this.authenticating = null;
    });
    this.token = await this.authenticating;
    return this.token;
  }

  private async issueToken(signal?: AbortSignal): Promise<Token> {
    const { auth } = this.cloud;
    const base = auth.authUrl.replace(/\/+$/, "");
    const url = new URL(`${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`);
    const answer = await this.send("Authenticate", "identity", "POST", url, { "content-type": "application/json", accept: "application/json" }, JSON.stringify(tokenRequest(auth)), { signal });
    if (answer.status === 401 || answer.status === 403) {
      throw new OpenStackAuthError(
        `cloud ${this.cloud.name}: Keystone at ${url.origin} refused the credentials of ${describeIdentity(auth)} (HTTP ${answer.status}: ${cloudMessage(answer.text).message}); check auth in ${this.cloud.files.join(" + ")}`,
      );
    }
    if (answer.status >= 400) throw errorFor("Authenticate", answer.status, answer.text);
    const subject = answer.headers["x-subject-token"];
    if (typeof subject !== "string") throw new OpenStackResponseError(`cloud ${this.cloud.name}: Keystone at ${url.origin} issued no X-Subject-Token`);
    const { token } = parseAnswer("Authenticate", answer.text, tokenSchema);
    const now = Date.now();
    const expiresAt = Date.parse(token.expires_at);
    const issuedAt = token.issued_at ? Date.parse(token.issued_at) : now;
    const lifetime = Math.max(0, expiresAt - issuedAt);
    const endpoints = new Map<ServiceType, string>();
    for (const service of ["compute", "network", "image"] as const) {
      const override = this.cloud.endpointOverrides[service];
      const url = override ?? pickEndpoint(token.catalog, service, this.cloud.interface, this.cloud.region);
      if (url === undefined) continue;
      const root = url.replace(/\/+$/, "");
      endpoints.set(service, root.endsWith(VERSION_SUFFIX[service]) ? root : root + VERSION_SUFFIX[service]);
    }
    return {
      value: subject,
      expiresAt,
      renewAt: expiresAt - Math.min(RENEW_BEFORE_MS, lifetime / 2),
      projectId: token.project?.id ?? null,
      endpoints,
    };
  }

  private noEndpoint(service: ServiceType): string {
    return `cloud ${this.cloud.name}: the service catalog has no ${service} endpoint with interface ${this.cloud.interface}${this.cloud.region ? ` in region ${this.cloud.region}` : ""}`;
  }
}

function pickEndpoint(catalog: z.output<typeof catalogSchema>, type: string, iface: string, region: string | null): string | undefined {
  for (const entry of catalog) {
    if (entry.type !== type) continue;
    const endpoint = entry.endpoints.find((e) => e.interface === iface && (region === null || e.region_id === region || e.region === region));
    if (endpoint) return endpoint.url;
  }
  return undefined;
}

function tokenRequest(auth: CloudAuth): unknown {
  const domain = (d: { id: string } | { name: string }) => d;
  const user = (u: { id: string } | { name: string; domain: { id: string } | { name: string } }) => ("id" in u ? { id: u.id } : { name: u.name, domain: domain(u.domain) });
  if (auth.kind === "password") {
    return {
      auth: {
        identity: { methods: ["password"], password: { user: { ...user(auth.user), password: auth.password } } },
        scope: { project: "id" in auth.project ? { id: auth.project.id } : { name: auth.project.name, domain: domain(auth.project.domain) } },
      },
    };
  }
  const c = auth.credential;
  return {
    auth: {
      identity: {
        methods: ["application_credential"],
        application_credential: "id" in c ? { id: c.id, secret: c.secret } : { name: c.name, secret: c.secret, user: user(c.user) },
      },
    },
  };
}

function describeIdentity(auth: CloudAuth): string {
  if (auth.kind === "application-credential") {
    return `application credential ${"id" in auth.credential ? auth.credential.id : auth.credential.name}`;
  }
  return `user ${"id" in auth.user ? auth.user.id : auth.user.name}`;
}

/** The message (and Neutron's error type) of an error body in any of the services' shapes. */
export function cloudMessage(text: string): { message: string; type: string | null } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Glance and proxies answer some errors in HTML or plain text.
    const plain = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
    return { message: plain.slice(0, 500) || "(no message)", type: null };
  }
  if (body && typeof body === "object") {
    for (const value of Object.values(body as Record<string, unknown>)) {
      if (value && typeof value === "object" && "message" in value) {
        const v = value as { message: unknown; type?: unknown };
        return { message: String(v.message), type: typeof v.type === "string" ? v.type : null };
      }
    }
    if ("message" in body) return { message: String((body as { message: unknown }).message), type: null };
  }
  return { message: text.slice(0, 500), type: null };
}

function errorFor(operation: string, status: number, text: string): OpenStackApiError {
  const { message, type } = cloudMessage(text);
  if (status === 404) return new OpenStackNotFoundError(operation, status, message);
  if (isQuotaRefusal(status, message, type)) return new OpenStackQuotaError(operation, status, message);
  return new OpenStackApiError(operation, status, message);
}

function parseAnswer<T>(operation: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OpenStackResponseError(`${operation}: the cloud answered with something other than JSON: ${text.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpenStackResponseError(`${operation}: unexpected answer at ${issue?.path.join(".") || "top level"}: ${issue?.message}`);
  }
  return parsed.data;
}
