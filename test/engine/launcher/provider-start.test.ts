import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { nodepoolConfigSchema } from "../../../schema/index.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { requestState, startLauncher } from "./fixtures.ts";

const provider = (name: string, label: string) => ({
  name,
  driver: "fake",
  cloud: "fake",
  rate: 0.0001,
  "fake-cloud": { "boot-delay": 0 },
  "cloud-images": [{ name: "precise", "image-name": "Fake Precise" }],
  pools: [{ name: "main", labels: [{ name: label, "cloud-image": "precise", "min-ram": 8192 }] }],
});

test("a provider that cannot start is not ready: /ready names it and why, its pools are not advertised, the others work on, and it is retried with backoff until it starts", async (t) => {
  resetFakeClouds();
  const { zk } = await zkForTest(t);
  const config = nodepoolConfigSchema.parse({
    labels: [{ name: "label-a" }, { name: "label-b" }],
    providers: [provider("cloud-a", "label-a"), provider("cloud-b", "label-b")],
  });
  fakeCloud("cloud-a").failConnects = 2;
  const started = Date.now();
  const launcher = await startLauncher(t, zk, config, process.pid, { providerRetry: { initialMs: 300, maxMs: 1_000 } });

  assert.equal(launcher.ready, false);
  assert.match(launcher.notReadyReason() ?? "", /^provider cloud-a: Fake cloud: authentication failed \(injected\) \(next try at \S+\)$/);
  const registered = await zk.getLaunchers();
  assert.deepEqual(registered.map((l) => l.providerName), ["cloud-b"], "only the running provider's pool worker is registered");
  const served = await zk.submitNodeRequest(newRequest({ nodeTypes: ["label-b"], requestor: "zuul-test" }), 200);
  assert.equal((await requestState(zk, served.id!, ["fulfilled", "failed"])).state, "fulfilled", "the other provider works on");

  await waitFor("cloud-a started on its third attempt", () => launcher.ready, 10_000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 300 + 600, `two waits of the backoff (0.3 s, then 0.6 s) passed first, not ${elapsed} ms`);
  assert.equal(launcher.notReadyReason(), null);
  await waitFor("cloud-a's pool worker registered", async () => (await zk.getLaunchers()).some((l) => l.providerName === "cloud-a"));
  const retried = await zk.submitNodeRequest(newRequest({ nodeTypes: ["label-a"], requestor: "zuul-test" }), 200);
  assert.equal((await requestState(zk, retried.id!, ["fulfilled", "failed"])).state, "fulfilled");
});
