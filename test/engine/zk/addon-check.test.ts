import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { test } from "node:test";
import { ZkClient } from "../../../engine/zk/client.ts";
import { ZkAddonError } from "../../../engine/zk/errors.ts";
import { quietLogger, testZkServers } from "../../helpers/zk.ts";

// The addon as npm builds it, without patches/: its native class has no a_multi. This file runs
// in a process of its own, so taking the method off the real addon affects no other test.
const require = createRequire(import.meta.url);
const addonDir = dirname(dirname(require.resolve("zookeeper")));
const native = (require("node-gyp-build") as (dir: string) => { ZooKeeper: { prototype: Record<string, unknown> } })(addonDir).ZooKeeper.prototype;

test("an addon built without the project's patches is refused at connect, saying to run scripts/setup.sh", async (t) => {
  const aMulti = native.a_multi;
  assert.equal(typeof aMulti, "function", "the installed addon is patched");
  delete native.a_multi;
  t.after(() => {
    native.a_multi = aMulti;
  });
  await assert.rejects(
    ZkClient.connect({ hosts: testZkServers(), logger: quietLogger, connectTimeoutMs: 5_000, createChroot: false }),
    (error: unknown) => error instanceof ZkAddonError && /transaction call \(a_multi/.test(error.message) && /run scripts\/setup\.sh/.test(error.message),
  );
  native.a_multi = aMulti;
  const client = await ZkClient.connect({ hosts: testZkServers(), logger: quietLogger, connectTimeoutMs: 5_000, createChroot: false });
  t.after(() => client.close());
  assert.equal(client.state, "connected", "with the patched addon the same connect works");
});
