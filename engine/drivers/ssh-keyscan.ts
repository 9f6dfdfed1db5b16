/**
 * Host key scan and liveness probe over real SSH (behaviour.md §3.6), shared by the drivers
 * that record a node's host keys (static hosts; clouds after a boot).
 *
 * `scanHostKeys` does what `ssh-keyscan` does: one SSH transport handshake per key family the
 * client knows (Ed25519, ECDSA, RSA), each offering only that family, so every key type the host
 * has is collected. Keys are `"<type> <base64>"`, as Nodepool records them. Nothing is
 * authenticated: the handshake stops once the server has shown its key.
 *
 * `probeSsh` is the cheap check before a node is handed out: a TCP connection and, for SSH
 * hosts, the server's identification line, without a key exchange.
 */
import { connect as tcpConnect, type Socket } from "node:net";
import { Client } from "ssh2";
import { NodepoolError } from "../errors.ts";

export type ProbeFailure = "refused" | "unreachable" | "timeout" | "protocol" | "aborted";

/** The host did not complete a scan or probe; `reason` says how, the message names host and port. */
export class HostCheckFailedError extends NodepoolError {
  readonly code: string;
  constructor(
    readonly reason: ProbeFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = `ssh.${reason}`;
  }
}

export interface ScanTarget {
  host: string;
  port: number;
  /** Overall limit for the scan or probe, in milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Server host key algorithms by key family: one handshake per family, as ssh-keyscan's `-t
 * rsa,ecdsa,ed25519`. The RSA family lists the SHA-2 signatures first (OpenSSH refuses SHA-1
 * by default); the key itself is `ssh-rsa` whichever signs.
 */
const KEY_FAMILIES: readonly (readonly string[])[] = [
  ["ssh-ed25519"],
  ["ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"],
  ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
];

/** `"<type> <base64>"` of an SSH public key blob (RFC 4253 §6.6: the blob starts with its type). */
export function formatHostKey(blob: Buffer): string {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (length <= 0 || 4 + length > blob.length) throw new HostCheckFailedError("protocol", "malformed host key blob");
  return `${blob.toString("latin1", 4, 4 + length)} ${blob.toString("base64")}`;
}

function socketFailure(error: NodeJS.ErrnoException, target: ScanTarget): HostCheckFailedError {
  const where = `${target.host}:${target.port}`;
  switch (error.code) {
    case "ECONNREFUSED":
      return new HostCheckFailedError("refused", `${where}: connection refused`, { cause: error });
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "ECONNRESET":
    case "EPIPE":
      return new HostCheckFailedError("unreachable", `${where}: ${error.code} (${error.message})`, { cause: error });
    default:
      return new HostCheckFailedError("protocol", `${where}: ${error.message}`, { cause: error });
  }
}

/**
 * Runs `attempt` against an AbortSignal that fires at the target's timeout or its own signal,
 * turning either into the matching HostCheckFailedError.
 */
async function bounded<T>(target: ScanTarget, what: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const where = `${target.host}:${target.port}`;
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = target.signal ? AbortSignal.any([timeout, target.signal]) : timeout;
  if (signal.aborted) throw new HostCheckFailedError("aborted", `${where}: ${what} aborted`);
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () =>
      reject(
        timeout.aborted
          ? new HostCheckFailedError("timeout", `${where}: no ${what} within ${target.timeoutMs / 1000} s`)
          : new HostCheckFailedError("aborted", `${where}: ${what} aborted`),
      );
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([attempt(signal), stopped]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

/** One handshake offering only `algorithms`: the host's key of that family, or null when it has none. */
function scanFamily(target: ScanTarget, algorithms: readonly string[], signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: string | null = null;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", abort);
      client.end();
      outcome();
    };
    const abort = (): void => finish(() => resolve(null));
    signal.addEventListener("abort", abort, { once: true });
    client.on("error", (error: Error & { level?: string; code?: string }) => {
      if (key !== null) return finish(() => resolve(key));
      // The server has no key of this family: the algorithm negotiation found no match.
      if (error.level === "handshake" && /host key/i.test(error.message)) return finish(() => resolve(null));
      if (error.level === "client-socket" && error.code) return finish(() => reject(socketFailure(error, target)));
      finish(() => reject(new HostCheckFailedError("protocol", `${target.host}:${target.port}: ${error.message}`, { cause: error })));
    });
    client.on("close", () => finish(() => (key !== null ? resolve(key) : reject(new HostCheckFailedError("protocol", `${target.host}:${target.port}: connection closed before a host key was shown`)))));
    client.connect({
      host: target.host,
      port: target.port,
      username: "nodepool-keyscan",
      readyTimeout: target.timeoutMs,
      algorithms: { serverHostKey: [...algorithms] as never },
      hostVerifier: (blob: Buffer): boolean => {
        try {
          key = formatHostKey(blob);
        } catch (error) {
          finish(() => reject(error));
        }
        // Refuse: the key is all we came for; the client disconnects before authenticating.
        return false;
      },
    });
  });
}

/**
 * Every host key `target` offers, sorted, within its timeout. Throws HostCheckFailedError when
 * the host refuses, cannot be reached, does not speak SSH, offers no key, or the time runs out.
 */
export async function scanHostKeys(target: ScanTarget): Promise<string[]> {
  const keys = await bounded(target, "SSH key exchange", (signal) => Promise.all(KEY_FAMILIES.map((family) => scanFamily(target, family, signal))));
  const found = keys.filter((key): key is string => key !== null).sort();
  if (found.length === 0) throw new HostCheckFailedError("protocol", `${target.host}:${target.port}: the SSH server offered no host key this client knows`);
  return found;
}

/**
 * Whether the host answers: a TCP connection, and for SSH (`expectSsh`) the server's
 * `SSH-` identification line (RFC 4253 §4.2), within the timeout. Throws HostCheckFailedError.
 */
export async function probeSsh(target: ScanTarget & { expectSsh: boolean }): Promise<void> {
  await bounded(target, target.expectSsh ? "SSH identification" : "TCP connection", (signal) =>
    new Promise<void>((resolve, reject) => {
      const socket: Socket = tcpConnect({ host: target.host, port: target.port });
      let received = "";
      const done = (error?: Error): void => {
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        if (error) reject(error);
        else resolve();
      };
      const onAbort = (): void => done();
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("error", (error: NodeJS.ErrnoException) => done(socketFailure(error, target)));
      socket.once("connect", () => {
        if (!target.expectSsh) done();
      });
      socket.setEncoding("latin1").on("data", (chunk: string) => {
        received += chunk;
        // Servers may send other lines before the identification (RFC 4253 §4.2).
        const lines = received.split("\n");
        if (lines.some((line) => line.startsWith("SSH-"))) return done();
        if (received.length > 8192) done(new HostCheckFailedError("protocol", `${target.host}:${target.port}: no SSH identification in the server's first 8 KiB`));
      });
      socket.once("end", () => done(new HostCheckFailedError("protocol", `${target.host}:${target.port}: closed the connection without an SSH identification`)));
    }),
  );
}
