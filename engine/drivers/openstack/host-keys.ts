/**
 * The host-key scan of a booted node (behaviour.md §3.6): a real SSH handshake with the node,
 * repeated until it answers or `boot-timeout` runs out, once per host key algorithm, returning
 * the keys as `<type> <base64>` lines (what ssh-keyscan prints). Connection types without host
 * keys (winrm, ...) only need the port to accept a TCP connection.
 */
import { connect } from "node:net";
import { Client, type ServerHostKeyAlgorithm } from "ssh2";

/** One handshake per key type; the first that answers shows the node is up. */
const KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"];
const ATTEMPT_TIMEOUT_MS = 10_000;
const RETRY_DELAY_MS = 2_000;

export class HostUnreachableError extends Error {}

/** `<type> <base64>` of an SSH wire-format public key blob. */
export function formatHostKey(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return `${blob.subarray(4, 4 + length).toString("latin1")} ${blob.toString("base64")}`;
}

function handshake(host: string, port: number, algorithm: ServerHostKeyAlgorithm, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: string | null = null;
    const finish = (error?: Error): void => {
      signal.removeEventListener("abort", abort);
      client.end();
      if (key !== null) resolve(key);
      else if (error && /no matching|handshake failed/i.test(error.message)) resolve(null);
      else reject(error ?? new Error("connection closed before the handshake"));
    };
    const abort = (): void => finish(new Error("aborted"));
    signal.addEventListener("abort", abort, { once: true });
    client.on("error", (error) => finish(error));
    client.on("close", () => finish());
    client.connect({
      host,
      port,
      username: "nodepool-keyscan",
      readyTimeout: ATTEMPT_TIMEOUT_MS,
      algorithms: { serverHostKey: [algorithm] },
      // Take the key and end the handshake: nothing is logged in to.
      hostVerifier: (blob: Buffer) => {
        key = formatHostKey(blob);
        return false;
      },
    });
  });
}

function tcpOpen(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: ATTEMPT_TIMEOUT_MS, signal });
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(new Error("timed out"));
    });
    socket.once("error", reject);
  });
}

/**
 * Scans `host:port` until it answers, within `signal` (boot-timeout and the launch's own);
 * returns its host keys when `withKeys`, else [] once the port accepts connections.
 */
export async function scanHostKeys(host: string, port: number, withKeys: boolean, signal: AbortSignal): Promise<string[]> {
  let last: unknown = null;
  while (!signal.aborted) {
    try {
      if (!withKeys) {
        await tcpOpen(host, port, signal);
        return [];
      }
      const first = await handshake(host, port, KEY_ALGORITHMS[0] as ServerHostKeyAlgorithm, signal);
      const keys = first === null ? [] : [first];
      for (const algorithm of KEY_ALGORITHMS.slice(1)) {
        const key = await handshake(host, port, algorithm, signal).catch(() => null);
        if (key !== null) keys.push(key);
      }
      return keys;
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    }
  }
  throw new HostUnreachableError(`${host}:${port} did not answer${last instanceof Error ? ` (last: ${last.message})` : ""}`);
}
