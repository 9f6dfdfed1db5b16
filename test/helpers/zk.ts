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

/** A request of the client's byte stream, as the proxy reads it (ZooKeeper's RequestHeader). */
export interface ZkRequestSeen {
  readonly xid: number;
  /** ZooKeeper's op code: 1 create, 2 delete, 4 getData, 8 getChildren, 11 ping, 14 multi… */
  readonly type: number;
  /** The znode path the request names (server-side, chroot included); a multi's first op's. */
  readonly path: string | undefined;
}

/** ZooKeeper op codes the tests match on. */
export const ZK_OP = { create: 1, multi: 14 } as const;

/** Ops whose body starts with the path: create, delete, exists, getData, setData, getChildren, sync, getChildren2, check, create2, createContainer, createTTL. */
const PATH_FIRST = new Set([1, 2, 3, 4, 5, 8, 9, 12, 13, 15, 19, 21]);

function readZkString(frame: Buffer, offset: number): string | undefined {
  if (frame.length < offset + 4) return undefined;
  const length = frame.readInt32BE(offset);
  return length < 0 || frame.length < offset + 4 + length ? undefined : frame.toString("utf8", offset + 4, offset + 4 + length);
}

/** Reads a request frame (length prefix stripped); a multi's header (type, done, err) precedes its first op. */
function readRequest(frame: Buffer): ZkRequestSeen {
  const xid = frame.readInt32BE(0);
  const type = frame.readInt32BE(4);
  const path = type === ZK_OP.multi ? readZkString(frame, 8 + 9) : PATH_FIRST.has(type) ? readZkString(frame, 8) : undefined;
  return { xid, type, path };
}

/**
 * Splits a ZooKeeper byte stream into its length-prefixed frames: `onFrame` gets each whole
 * frame (prefix included), the first one being the connect request or response.
 */
function framer(onFrame: (frame: Buffer, index: number) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const end = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, end), index++);
      pending = pending.subarray(end);
    }
  };
}

/** Where `loseConnectionAt` breaks the connection: before the request reaches ZooKeeper, or after ZooKeeper applied it and before its reply reaches the client. */
export type LossPoint = "request" | "reply";

export interface ZkProxy {
  readonly address: string;
  /** Bytes stop both ways, as with a frozen server or a broken network. */
  silence(): void;
  resume(): void;
  /** Closes every connection and the proxy: nothing gets through any more. */
  cut(): void;
  /**
   * Arms a connection loss at the next request `matches` accepts: at "request" it never
   * reaches ZooKeeper; at "reply" ZooKeeper applies it and its reply is dropped. The
   * client's connection is then closed while the proxy keeps listening, so the client
   * reconnects through it on the same session. Resolves with the request once done.
   */
  loseConnectionAt(at: LossPoint, matches: (request: ZkRequestSeen) => boolean): Promise<ZkRequestSeen>;
}

interface ArmedLoss {
  readonly at: LossPoint;
  readonly matches: (request: ZkRequestSeen) => boolean;
  readonly done: (request: ZkRequestSeen) => void;
}

/**
 * A TCP proxy to the test ZooKeeper that can go silent, drop a connection at a chosen request,
 * or be cut. It shares the test process with the zookeeper addon: tests using proxies run one
 * at a time (run concurrently in one file, their connections stalled past the session timeout).
 */
export async function zkProxy(t: TestContext, server: string): Promise<ZkProxy> {
  const [host, port] = server.split(":") as [string, string];
  let silent = false;
  let armed: ArmedLoss | undefined;
  const sockets = new Set<Socket>();
  const proxy = createServer((inbound) => {
    const outbound = connect(Number(port), host);
    const drop = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", drop);
      s.on("close", () => sockets.delete(s));
    }
    // The request whose reply is to be lost on this connection, once it went upstream.
    let awaited: { request: ZkRequestSeen; done: (request: ZkRequestSeen) => void } | undefined;
    inbound.on(
      "data",
      framer((frame, index) => {
        if (silent) return;
        const request = index === 0 ? undefined : readRequest(frame.subarray(4));
        if (request !== undefined && armed?.matches(request)) {
          const { at, done } = armed;
          armed = undefined;
          if (at === "request") {
            drop();
            return done(request);
          }
          awaited = { request, done };
        }
        outbound.write(frame);
      }),
    );
    outbound.on(
      "data",
      framer((frame, index) => {
        if (silent) return;
        if (index > 0 && awaited !== undefined && frame.readInt32BE(4) === awaited.request.xid) {
          drop();
          return awaited.done(awaited.request);
        }
        inbound.write(frame);
      }),
    );
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const cut = (): void => {
    for (const s of sockets) s.destroy();
    proxy.close();
  };
  t.after(cut);
  return {
    address: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    silence: () => (silent = true),
    resume: () => (silent = false),
    cut,
    loseConnectionAt: (at, matches) =>
      new Promise((resolve, reject) => {
        if (armed !== undefined) return reject(new Error("a connection loss is already armed on this proxy"));
        armed = { at, matches, done: resolve };
      }),
  };
}

export function splitTestHosts(hosts: string): { server: string; chroot: string } {
  return { server: hosts.slice(0, hosts.indexOf("/")), chroot: hosts.slice(hosts.indexOf("/")) };
}
