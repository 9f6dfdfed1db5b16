import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test, type TestContext } from "node:test";
import { execa } from "execa";
import { nodeCache } from "../../../engine/zk/caches.ts";
import type { ConnectionState } from "../../../engine/zk/client.ts";
import { asNodeId } from "../../../engine/zk/ids.ts";
import { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { encodeNode, newNode, type NodeRecord } from "../../../engine/zk/records/node.ts";
import { quietLogger, waitFor } from "../../helpers/zk.ts";

/**
 * Against a three-server ensemble of our own (scripts/zk.sh ensemble-start on spare ports):
 * losing the member a client talks to suspends it without losing the session; its locks,
 * ephemerals and watches survive, and a cache stays consistent with writers running meanwhile.
 */

const ZK_SH = fileURLToPath(new URL("../../../scripts/zk.sh", import.meta.url));
/** Client ports PORT..PORT+2 (quorum +100, election +200), apart from other test runs'. */
const PORT = Number(process.env.NODEPOOL_TEST_ENSEMBLE_PORT ?? 23000 + 3 * (process.pid % 30));
const HOSTS = [0, 1, 2].map((i) => `127.0.0.1:${PORT + i}`).join(",");

async function ensemble(t: TestContext): Promise<{ stopMember: (i: number) => Promise<void>; startAll: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "nodepool-ensemble-"));
  const args = ["--port", String(PORT), "--dir", dir];
  const startAll = async (): Promise<void> => void (await execa("bash", [ZK_SH, "ensemble-start", ...args]));
  t.after(async () => {
    await execa("bash", [ZK_SH, "ensemble-stop", ...args]);
    await rm(dir, { recursive: true, force: true });
  });
  await startAll();
  return { startAll, stopMember: async (i) => void (await execa("bash", [ZK_SH, "stop", "--dir", join(dir, String(i))])) };
}

test("a member failure suspends the client, which moves to another member with its session, locks and cache intact", async (t) => {
  const servers = await ensemble(t);
  const zk = await NodepoolZk.connect({ hosts: `${HOSTS}/failover`, connectTimeoutMs: 20_000, sessionTimeoutMs: 10_000, logger: quietLogger });
  const writer = await NodepoolZk.connect({ hosts: `${HOSTS}/failover`, connectTimeoutMs: 20_000, logger: quietLogger });
  t.after(() => {
    zk.close();
    writer.close();
  });
  const cache = await nodeCache(zk.client).start();
  t.after(() => cache.close());
  const node = await zk.storeNode(newNode({ provider: "p" }));
  const held = await zk.lockNode(asNodeId(node.id ?? ""));
  const session = zk.client.sessionId;
  const states: ConnectionState[] = [];
  zk.client.onState((s) => states.push(s));

  let writing = true;
  const written: NodeRecord[] = [];
  const writes = (async () => {
    while (writing) {
      try {
        written.push(await writer.storeNode(newNode({ provider: "w" })));
      } catch {
        await writer.client.waitConnected(20_000);
      }
    }
  })();

  // Stop members in turn until the one our client talks to goes; bring each back before the next.
  for (let member = 1; member <= 3 && !states.includes("suspended"); member++) {
    await servers.stopMember(member);
    // A client of the stopped member notices at once (its socket closes); others never do.
    await waitFor("our client to notice", () => states.includes("suspended"), 1500).catch(() => undefined);
    await servers.startAll();
  }
  assert.ok(states.includes("suspended"), "one of the stops hit our client's member");
  await waitFor("the client to reconnect", () => zk.client.state === "connected", 20_000);
  assert.equal(zk.client.sessionId, session, "the session survived");
  assert.equal(held.lock.held, true, "the lock survived");
  assert.ok(!states.includes("expired"));
  writing = false;
  await writes;
  const expected = new Map((await writer.getNodes()).map((n) => [n.id ?? "", encodeNode(n).toString()]));
  await waitFor("the cache to match ZooKeeper", () => {
    const seen = new Map<string, string>(cache.entries().map(([id, n]) => [id, encodeNode(n).toString()]));
    return seen.size === expected.size && [...expected].every(([id, data]) => seen.get(id) === data);
  }, 20_000);
  assert.ok(written.length > 0);
  await held.lock.release();
});
