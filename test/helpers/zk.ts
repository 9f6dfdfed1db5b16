import { randomUUID } from "node:crypto";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import type { TestContext } from "node:test";
import { pino } from "pino";
import { NodepoolZk } from "../../engine/zk/nodepool-zk.ts";
import { ZkClient } from "../../engine/zk/client.ts";

/**
 * ZooKeeper for tests: every test gets its own chroot on the server named by NODEPOOL_TEST_ZK
 * (scripts/test.sh starts one), a connected data-layer object, and cleanup when it ends.
 *
 *   const { hosts, zk } = await zkForTest(t);
 *   // hosts: "127.0.0.1:22181/nodepool-test/<unique>" for spawned commands and kazoo scripts
 */
export interface ZkForTest {
  /** Connection string including the test's chroot. */
  readonly hosts: string;
  /** The test's connected data layer (closed when the test ends). */
  readonly zk: NodepoolZk;
  /** Opens another independent client (another session) on the same chroot; closed at the end. */
  readonly connectAnother: () => Promise<NodepoolZk>;
}

export function testZkServers(): string {
  const servers = process.env.NODEPOOL_TEST_ZK;
  if (!servers) throw new Error("NODEPOOL_TEST_ZK is not set: run the tests through scripts/test.sh, or start scripts/zk.sh and export it");
  return servers;
}

/** A logger for test clients: warnings only, so expected reconnects do not flood the output. */
export const quietLogger = pino({ level: process.env.NODEPOOL_TEST_LOG_LEVEL ?? "error" });

export async function zkForTest(t: TestContext, options: { sessionTimeoutMs?: number } = {}): Promise<ZkForTest> {
  const servers = testZkServers();
  const chroot = `/nodepool-test/${randomUUID().replace(/-/g, "")}`;
  const hosts = `${servers}${chroot}`;
  const opened: NodepoolZk[] = [];
  const connectAnother = async (): Promise<NodepoolZk> => {
    const zk = await NodepoolZk.connect({ hosts, connectTimeoutMs: 10_000, logger: quietLogger, ...options });
    opened.push(zk);
    return zk;
  };
  const zk = await connectAnother();
  t.after(async () => {
    for (const client of opened) client.close();
    const root = await ZkClient.connect({ hosts: servers, connectTimeoutMs: 10_000, logger: quietLogger });
    try {
      await root.deleteRecursive(chroot);
    } finally {
      root.close();
    }
  });
  return { hosts, zk, connectAnother };
}

/** Waits until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const timedOut = (): Error => new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  for (;;) {
    // A check whose ZooKeeper call never answers fails at the deadline too, instead of hanging.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOut()), Math.max(deadline - Date.now(), 0) + 1_000);
    });
    const value = await Promise.race([check(), late]).finally(() => clearTimeout(timer));
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw timedOut();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Expires a client's session from the server side, as a real expiry would: a second
 * connection joins the same session and closes it.
 */
export async function expireSession(client: ZkClient): Promise<void> {
  await client.expireSessionForTest();
}

/**
 * A TCP proxy to the test ZooKeeper that can go silent (bytes stop both ways, as with a frozen
 * server or a broken network), speak again, or be cut.
 */
export async function zkProxy(t: TestContext, server: string): Promise<{ address: string; silence(): void; resume(): void; cut(): void }> {
  const [host, port] = server.split(":") as [string, string];
  let silent = false;
  const sockets = new Set<Socket>();
  const proxy = createServer((inbound) => {
    const outbound = connect(Number(port), host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
    }
    inbound.on("data", (d) => silent || outbound.write(d));
    outbound.on("data", (d) => silent || inbound.write(d));
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const cut = (): void => {
    for (const s of sockets) s.destroy();
    proxy.close();
  };
  t.after(cut);
  return { address: `127.0.0.1:${(proxy.address() as AddressInfo).port}`, silence: () => (silent = true), resume: () => (silent = false), cut };
}

export function splitTestHosts(hosts: string): { server: string; chroot: string } {
  return { server: hosts.slice(0, hosts.indexOf("/")), chroot: hosts.slice(hosts.indexOf("/")) };
}
