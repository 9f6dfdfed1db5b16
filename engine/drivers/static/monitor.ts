/**
 * The static driver's eyes on its hosts: checks each configured host as host-status.ts
 * schedules (a key scan when first seen, changed or back; a liveness probe per interval while
 * up; retries with backoff while failing), logs each change of a host's state once, and tells
 * the engine when what it may register has changed. Registration and hand-out ask it for a
 * fresh answer (behaviour.md §3B.2, §3B.4).
 */
import { lookup } from "node:dns/promises";
import pLimit, { type LimitFunction } from "p-limit";
import type { Logger } from "../../log.ts";
import type { InventoryHost, LaunchedNodeFields } from "../driver.ts";
import { HostCheckFailedError, probeSsh, scanHostKeys } from "../ssh-keyscan.ts";
import { afterCheck, DEFAULT_CHECK_POLICY, missingHostKeys, nextCheck, type CheckOutcome, type CheckPolicy, type HostStatus } from "./host-status.ts";
import { checkIdentity, gathersKeys, type StaticHost } from "./hosts.ts";
import { HostKeyMismatchError, HostUnreachableError } from "./errors.ts";

/** How the monitor reaches hosts; tests and benchmarks count calls through it. */
export interface HostScanner {
  scan(host: StaticHost, signal?: AbortSignal): Promise<string[]>;
  probe(host: StaticHost, signal?: AbortSignal): Promise<void>;
}

export const sshScanner: HostScanner = {
  scan: (host, signal) => scanHostKeys({ host: host.name, port: host.port, timeoutMs: host.timeout * 1000, ...(signal ? { signal } : {}) }),
  probe: (host, signal) => probeSsh({ host: host.name, port: host.port, timeoutMs: host.timeout * 1000, expectSsh: gathersKeys(host.connectionType), ...(signal ? { signal } : {}) }),
};

export interface MonitorOptions {
  log: Logger;
  policy?: CheckPolicy;
  scanner?: HostScanner;
  /** Called when a host's state changed in a way the engine's plan depends on. */
  onChange: () => void;
  /** A registration reuses keys scanned this recently instead of scanning again (ms). */
  scanReuseMs?: number;
  /**
   * Checks running at once across the provider's hosts (default 8); more wait their turn, and a
   * host's timeout runs only from when its check starts.
   */
  concurrency?: number;
}

interface Tracked {
  host: StaticHost;
  identity: string;
  status: HostStatus;
  /** A check in progress, shared by whoever asks meanwhile. */
  running: Promise<HostStatus> | null;
}

type UpStatus = Extract<HostStatus, { kind: "up" }>;

/**
 * Hosts that answered their last check, by provider and check settings. The launcher replaces a
 * provider whose config changed (config.md §4.4): the new one starts from what the old one knew,
 * so adding one host to a rack does not rescan all of it.
 */
const answered = new Map<string, UpStatus>();
const answeredKey = (tracked: Tracked): string => `${tracked.host.provider}\n${tracked.identity}`;

export class StaticHostMonitor {
  /** Key exchanges and liveness probes made so far (the benchmark's figures). */
  readonly counts = { scans: 0, probes: 0 };
  private readonly tracked = new Map<string, Tracked>();
  private readonly policy: CheckPolicy;
  private readonly scanner: HostScanner;
  private readonly scanReuseMs: number;
  private readonly limit: LimitFunction;
  private timer: NodeJS.Timeout | undefined;
  private readonly controller = new AbortController();
  private stopped = false;
  private watching = false;
  private view: InventoryHost[] | null = null;

  constructor(private readonly options: MonitorOptions) {
    this.policy = options.policy ?? DEFAULT_CHECK_POLICY;
    this.scanner = options.scanner ?? sshScanner;
    this.scanReuseMs = options.scanReuseMs ?? 10_000;
    this.limit = pLimit(options.concurrency ?? 8);
  }

  /**
   * Sets the hosts to watch. A host whose check settings (name, port, connection type,
   * timeout, expected keys) are unchanged keeps what is known of it, as does one that answered
   * a previous monitor of the provider within the liveness interval; others start unknown.
   */
  setHosts(hosts: readonly StaticHost[]): void {
    const next = new Map<string, Tracked>();
    for (const host of hosts) {
      const identity = checkIdentity(host);
      const known = this.tracked.get(host.name);
      if (known && known.identity === identity) {
        known.host = host;
        next.set(host.name, known);
        continue;
      }
      const tracked: Tracked = { host, identity, status: { kind: "unknown" }, running: null };
      const remembered = answered.get(answeredKey(tracked));
      if (remembered && Date.now() - remembered.checkedAt < this.policy.livenessIntervalMs) tracked.status = remembered;
      next.set(host.name, tracked);
    }
    this.tracked.clear();
    for (const [name, tracked] of next) this.tracked.set(name, tracked);
    this.view = null;
    this.schedule();
  }

  /** Starts the background checks, on the schedule of host-status.ts. */
  watch(): void {
    this.watching = true;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.controller.abort();
    clearTimeout(this.timer);
  }

  /** The hosts as the engine plans with them; made again only after a change (it is read every pass). */
  hosts(): InventoryHost[] {
    return (this.view ??= [...this.tracked.values()].map(({ host, status }) => ({
      name: host.name,
      pool: host.pool,
      labels: host.labels,
      slots: host.slots,
      username: host.username,
      connectionType: host.connectionType,
      port: host.port,
      hostKeys: status.kind === "up" ? status.keys : null,
      status: status.kind,
      reason: status.kind === "down" ? status.reason : status.kind === "refused" ? `host key mismatch: expected ${status.expected.join(", ")}; found ${status.found.join(", ") || "none"}` : null,
    })));
  }

  /**
   * Checks a host for registration and returns its record fields: keys scanned within the
   * reuse window serve, otherwise it is scanned now. Throws HostUnreachableError or
   * HostKeyMismatchError.
   */
  async register(name: string, signal?: AbortSignal): Promise<LaunchedNodeFields> {
    const tracked = this.tracked.get(name);
    if (!tracked) throw new HostUnreachableError(`host ${name} is not configured`);
    let status = tracked.status;
    if (!(status.kind === "up" && Date.now() - status.scannedAt < this.scanReuseMs)) status = await this.check(tracked, "scan", signal);
    const { host } = tracked;
    if (status.kind === "down") throw new HostUnreachableError(`host ${host.name} port ${host.port}: ${status.reason}`);
    if (status.kind === "refused") {
      throw new HostKeyMismatchError(`host ${host.name} port ${host.port}: host key mismatch: expected ${status.expected.join(", ")}; found ${status.found.join(", ") || "none"}`);
    }
    if (status.kind !== "up") throw new HostUnreachableError(`host ${host.name} port ${host.port}: not checked`);
    const address = await resolve(host.name);
    return {
      external_id: null,
      hostname: host.name,
      image_id: null,
      username: host.username,
      connection_type: host.connectionType,
      connection_port: host.port,
      resources: null,
      az: null,
      cloud: null,
      region: null,
      host_id: null,
      interface_ip: host.name,
      public_ipv4: address?.family === 4 ? address.address : null,
      public_ipv6: address?.family === 6 ? address.address : null,
      private_ipv4: null,
      host_keys: [...status.keys],
    };
  }

  /** Liveness before a node of the host is handed out (§3B.4): false, and the host marked down, when it does not answer. */
  async reachable(name: string, signal?: AbortSignal): Promise<boolean> {
    const tracked = this.tracked.get(name);
    if (!tracked) return false;
    if (tracked.status.kind !== "up") return false;
    return (await this.check(tracked, "probe", signal)).kind === "up";
  }

  private check(tracked: Tracked, kind: "scan" | "probe", signal?: AbortSignal): Promise<HostStatus> {
    if (tracked.running) return tracked.running;
    const run = async (): Promise<HostStatus> => {
      const outcome = await this.limit(() => this.attempt(tracked.host, kind, signal));
      // Aborted (provider stopping), or reconfigured or removed meanwhile: the answer, if any,
      // is about nothing the engine will act on.
      if (outcome === null || this.tracked.get(tracked.host.name) !== tracked) return tracked.status;
      const before = tracked.status;
      const { status, change } = afterCheck(before, outcome, Date.now(), this.policy);
      tracked.status = status;
      this.view = null;
      if (status.kind === "up") answered.set(answeredKey(tracked), status);
      else answered.delete(answeredKey(tracked));
      if (change) this.logChange(tracked.host, status, change);
      if (before.kind !== status.kind || change === "keys-changed") this.options.onChange();
      return status;
    };
    tracked.running = run().finally(() => {
      tracked.running = null;
      this.schedule();
    });
    return tracked.running;
  }

  /** One scan or probe; null when it was aborted rather than answered. */
  private async attempt(host: StaticHost, kind: "scan" | "probe", signal?: AbortSignal): Promise<CheckOutcome | null> {
    const signals = signal ? AbortSignal.any([signal, this.controller.signal]) : this.controller.signal;
    try {
      if (kind === "probe") {
        this.counts.probes++;
        await this.scanner.probe(host, signals);
        return { kind: "alive" };
      }
      if (!gathersKeys(host.connectionType)) {
        // winrm hosts are not scanned: reachability of the port is all that is checked.
        this.counts.probes++;
        await this.scanner.probe(host, signals);
        return { kind: "scanned", keys: [] };
      }
      this.counts.scans++;
      const found = await this.scanner.scan(host, signals);
      const missing = missingHostKeys(host.expectedKeys, found);
      return missing.length > 0 ? { kind: "mismatch", expected: missing, found } : { kind: "scanned", keys: found };
    } catch (error) {
      if (signals.aborted) return null;
      return { kind: "failed", reason: error instanceof HostCheckFailedError ? error.message : String(error) };
    }
  }

  private logChange(host: StaticHost, status: HostStatus, change: string): void {
    const fields = { provider: host.provider, pool: host.pool, host: host.name, port: host.port };
    switch (status.kind) {
      case "up":
        this.options.log.info({ ...fields, hostKeys: status.keys, change }, change === "back" ? "static host answers again" : change === "keys-changed" ? "static host has new host keys" : "static host checked");
        return;
      case "down":
        this.options.log.warn({ ...fields, reason: status.reason }, "static host does not answer: not registered, retrying with backoff");
        return;
      case "refused":
        this.options.log.error({ ...fields, expected: status.expected, found: status.found }, "static host refused: host key mismatch");
        return;
    }
  }

  /** Starts every check that is due and arms one timer for the next; each check reschedules when it ends. */
  private schedule(): void {
    if (this.stopped || !this.watching) return;
    clearTimeout(this.timer);
    const now = Date.now();
    let earliest = Infinity;
    for (const tracked of this.tracked.values()) {
      if (tracked.running) continue;
      const { at, kind } = nextCheck(tracked.status, this.policy);
      if (at <= now) void this.check(tracked, kind);
      else earliest = Math.min(earliest, at);
    }
    if (earliest !== Infinity) this.timer = setTimeout(() => this.schedule(), Math.min(earliest - now, 2 ** 31 - 1));
  }
}

/** The host's address: the name itself when it is one, else the first DNS answer; null when it does not resolve. */
async function resolve(name: string): Promise<{ address: string; family: number } | null> {
  try {
    return await lookup(name);
  } catch {
    return null;
  }
}
