import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeCloud, resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { Backoff } from "../../../engine/reconcile/backoff.ts";
import { ProviderLifecycle } from "../../../engine/reconcile/providers.ts";
import { providerSchema, type ProviderConfig } from "../../../schema/index.ts";
import { quietLogger, waitFor } from "../../helpers/zk.ts";

const fake = (name: string, extra: Record<string, unknown> = {}): ProviderConfig => providerSchema.parse({ name, driver: "fake", cloud: "fake", ...extra });

test("per-object backoff doubles each failure's wait up to the cap, and a success starts it over", () => {
  const backoff = new Backoff({ initialMs: 1_000, maxMs: 4_000 });
  assert.deepEqual([1, 2, 3, 4].map(() => backoff.failed("x", "cloud said no", 100)), [101, 102, 104, 104]);
  assert.deepEqual(backoff.waiting("x", 103), { due: 104, failures: 4, reason: "cloud said no" });
  assert.equal(backoff.waiting("x", 104), undefined, "due: tried again");
  backoff.forget("x");
  assert.equal(backoff.failed("x", "again", 200), 201);
  assert.equal(backoff.nextDue(200), 201);
});

test("the lifecycle keeps unchanged providers, restarts changed ones, stops removed ones, and selects by ability", async (t) => {
  resetFakeClouds();
  const started: string[] = [];
  const stopping: string[] = [];
  const lifecycle = new ProviderLifecycle({ log: quietLogger, onStarted: (p) => void started.push(p.name), onStopping: (name) => void stopping.push(name) });
  t.after(() => lifecycle.stop());
  await lifecycle.sync([fake("a"), fake("b"), providerSchema.parse({ name: "k8s", driver: "kubernetes", context: "ctx", pools: [] })]);
  const a = lifecycle.get("a");
  assert.deepEqual(started, ["a", "b"]);
  assert.deepEqual(lifecycle.notReady(), [{ provider: "k8s", reason: "provider k8s: driver kubernetes is not available in this build (available: fake, openstack, static)", retryAt: null }], "a missing driver is not retried");
  await lifecycle.sync([fake("a"), fake("b", { rate: 2 })]);
  assert.equal(lifecycle.get("a"), a, "an unchanged provider keeps its state");
  assert.deepEqual(started, ["a", "b", "b"]);
  assert.deepEqual(stopping, ["b"]);
  assert.deepEqual(lifecycle.notReady(), [], "the removed provider is forgotten");
  await lifecycle.sync([fake("b", { rate: 2 })]);
  assert.deepEqual([...lifecycle.running().keys()], ["b"]);

  const images = new ProviderLifecycle({ log: quietLogger, select: (traits) => traits.abilities.has("images"), retry: false });
  t.after(() => images.stop());
  await images.sync([fake("c"), providerSchema.parse({ name: "rack", driver: "static", pools: [] })]);
  assert.deepEqual([...images.running().keys()], ["c"]);
  assert.deepEqual(images.notReady(), [], "a provider without the ability is not this owner's");
});

test("a failed start is retried with backoff; without retry it stays failed with its reason", async (t) => {
  resetFakeClouds();
  fakeCloud("a").failConnects = 1;
  const once = new ProviderLifecycle({ log: quietLogger, retry: false });
  t.after(() => once.stop());
  await once.sync([fake("a")]);
  assert.deepEqual(once.notReady(), [{ provider: "a", reason: "Fake cloud: authentication failed (injected)", retryAt: null }]);

  fakeCloud("b").failConnects = 1;
  const retrying = new ProviderLifecycle({ log: quietLogger, retry: { initialMs: 200, maxMs: 1_000 } });
  t.after(() => retrying.stop());
  await retrying.sync([fake("b")]);
  const [down] = retrying.notReady();
  assert.ok(down?.retryAt !== null && down !== undefined && down.retryAt > Date.now() / 1000, "the next try is scheduled");
  await waitFor("b started on its retry", () => retrying.get("b") !== undefined, 5_000);
});
