/**
 * Real SSH servers for tests: Debian's `sshd` (scripts/setup.sh installs openssh-server) run as
 * `sshd -D` on a loopback address and port of the test's choosing, with host keys `ssh-keygen`
 * made in a temporary directory. Nothing of the system's own ssh configuration is read or
 * changed; nothing listens outside 127.0.0.0/8. Tests stop and start a host to take it down and
 * bring it back (same address, port and keys).
 *
 *   const [a, b] = await sshdHosts(t, 2);
 *   a.address, a.port, a.publicKeys   // "ssh-ed25519 AAAA..." as the .pub files hold them
 *   await a.stop(); await a.start();
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { execa } from "execa";

export type HostKeyType = "rsa" | "ecdsa" | "ed25519";

const SSHD = "/usr/sbin/sshd";
const START_TIMEOUT_MS = 10_000;

/** A loopback address unlikely to be used by another test running at the same time. */
export function loopbackAddress(): string {
  const byte = (low: number, high: number): number => low + Math.floor(Math.random() * (high - low + 1));
  return `127.${byte(20, 250)}.${byte(0, 255)}.${byte(1, 254)}`;
}

/** A port free on `address` now (the kernel's choice); the caller binds it right after. */
export async function freePort(address: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class SshdHost {
  readonly publicKeys: readonly string[];
  private child: ChildProcess | null = null;

  private constructor(
    readonly address: string,
    readonly port: number,
    readonly dir: string,
    publicKeys: string[],
  ) {
    this.publicKeys = publicKeys;
  }

  /** Makes the host's keys and config in a fresh directory; `start()` runs it. */
  static async create(options: { address?: string; port?: number; keyTypes?: readonly HostKeyType[] } = {}): Promise<SshdHost> {
    const address = options.address ?? loopbackAddress();
    const port = options.port ?? (await freePort(address));
    const dir = mkdtempSync(join(tmpdir(), "nodepool-sshd-"));
    const types = options.keyTypes ?? ["rsa", "ecdsa", "ed25519"];
    await Promise.all(
      types.map((type) => execa("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-C", "", "-f", join(dir, `ssh_host_${type}_key`)])),
    );
    // "<type> <base64>", as Nodepool records host keys (the .pub file's comment dropped).
    const publicKeys = types.map((type) => readFileSync(join(dir, `ssh_host_${type}_key.pub`), "utf8").trim().split(/\s+/).slice(0, 2).join(" "));
    const config = [
      `ListenAddress ${address}:${port}`,
      ...types.map((type) => `HostKey ${join(dir, `ssh_host_${type}_key`)}`),
      "PidFile none",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication no",
      "StrictModes no",
      "LogLevel ERROR",
      "",
    ].join("\n");
    writeFileSync(join(dir, "sshd_config"), config);
    return new SshdHost(address, port, dir, publicKeys);
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts `sshd -D` and resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.child) return;
    // sshd run by root checks for its privilege separation directory (the package's runtime
    // directory, normally made by its service unit): make it, as that unit would.
    if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const child = spawn(SSHD, ["-D", "-e", "-f", join(this.dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    this.child = child;
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) => reject(new Error(`sshd on ${this.address}:${this.port} exited (${signal ?? code}) while starting: ${stderr.trim()}`))),
    );
    try {
      await Promise.race([waitForListener(this.address, this.port, START_TIMEOUT_MS), exited]);
    } catch (error) {
      this.child = null;
      child.kill("SIGKILL");
      throw error;
    }
    child.once("exit", () => {
      if (this.child === child) this.child = null;
    });
  }

  /** Stops sshd and resolves once it has exited: the port refuses connections again. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }

  /** Stops the host and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `count` running sshd hosts on distinct loopback addresses, stopped and removed when the test ends. */
export async function sshdHosts(t: TestContext, count: number, options: { keyTypes?: readonly HostKeyType[] } = {}): Promise<SshdHost[]> {
  const hosts = await Promise.all(Array.from({ length: count }, () => SshdHost.create(options)));
  t.after(() => Promise.all(hosts.map((host) => host.dispose())));
  await Promise.all(hosts.map((host) => host.start()));
  return hosts;
}

/**
 * A host that accepts TCP connections and never answers (a hung machine or a firewall that
 * swallows packets after the handshake): a check of it can only end by its timeout.
 */
export async function silentHost(t: TestContext): Promise<{ address: string; port: number }> {
  const address = loopbackAddress();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined).on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { address, port: (server.address() as { port: number }).port };
}

async function waitForListener(address: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, address);
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`sshd on ${address}:${port} did not accept connections within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
