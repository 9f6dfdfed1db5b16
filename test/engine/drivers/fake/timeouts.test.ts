import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeProviderSchema } from "../../../../schema/index.ts";
import { createProvider, LaunchError } from "../../../../engine/drivers/index.ts";
import { resetFakeClouds, type FakeProvider } from "../../../../engine/drivers/fake/index.ts";
import { waitFor } from "../../../helpers/zk.ts";

/** A fake provider whose cloud-label boots from the pre-existing image; `keys` are provider keys. */
function provider(keys: Record<string, unknown>, pool: Record<string, unknown> = {}): FakeProvider {
  resetFakeClouds();
  const config = fakeProviderSchema.parse({
    name: "p",
    driver: "fake",
    cloud: "fake",
    "cloud-images": [{ name: "cloudy", "image-name": "Fake Precise" }],
    pools: [{ name: "main", labels: [{ name: "cloud-label", "cloud-image": "cloudy", "flavor-name": "f2" }], ...pool }],
    ...keys,
  });
  return createProvider(config) as FakeProvider;
}

const spec = { nodeId: "0000000001", pool: "main", label: "cloud-label", az: null, image: null };
const noCheckpoint = async (): Promise<void> => undefined;
const never = new AbortController().signal;

function launchError(result: string, message: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof LaunchError, String(error));
    assert.equal(error.result, result);
    assert.match(error.message, message);
    assert.ok(error.externalId, "the server created is named, so it gets deleted");
    return true;
  };
}

test("a server still in BUILD after launch-timeout fails the attempt as error.status, naming the setting", async () => {
  const p = provider({ "launch-timeout": 1, "fake-cloud": { "boot-delay": 30 } });
  const started = performance.now();
  await assert.rejects(p.launch(spec, noCheckpoint, never), launchError("error.status", /^server \S+ did not become ACTIVE within launch-timeout 1 s$/));
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 950 && elapsed < 10_000, `failed after ${elapsed} ms`);
  p.cloud.close();
});

test("a server that never answers its keyscan fails after boot-timeout as error.ssh, naming the setting and address", async () => {
  const p = provider({ "boot-timeout": 1, "fake-cloud": { "boot-delay": 0 } });
  p.cloud.holdKeyscans = true;
  await assert.rejects(p.launch(spec, noCheckpoint, never), launchError("error.ssh", /^server \S+ did not answer on fake:22 within boot-timeout 1 s$/));
});

test("boot-timeout runs from ACTIVE, not from the create call", async () => {
  const p = provider({ "boot-timeout": 1, "launch-timeout": 5, "fake-cloud": { "boot-delay": 1.5 } });
  const fields = await p.launch(spec, noCheckpoint, never);
  assert.deepEqual(fields.host_keys, ["ssh-rsa FAKEKEY"]);
  p.cloud.close();
});

test("a keyscan answered within boot-timeout succeeds with the host key", async () => {
  const p = provider({ "boot-timeout": 60, "fake-cloud": { "boot-delay": 0 } });
  p.cloud.holdKeyscans = true;
  const launched = p.launch(spec, noCheckpoint, never);
  await waitFor("the server ACTIVE", () => [...p.cloud.servers.values()].some((s) => s.status === "ACTIVE"));
  p.cloud.releaseKeyscans();
  assert.deepEqual((await launched).host_keys, ["ssh-rsa FAKEKEY"]);
});

test("without host-key-checking there is no keyscan, so boot-timeout does not apply", async () => {
  const p = provider({ "boot-timeout": 1, "fake-cloud": { "boot-delay": 0 } }, { "host-key-checking": false });
  p.cloud.holdKeyscans = true;
  const fields = await p.launch(spec, noCheckpoint, never);
  assert.deepEqual(fields.host_keys, []);
});

test("a launch aborted by the launcher is not reported as a timeout", async () => {
  const p = provider({ "launch-timeout": 60, "fake-cloud": { "boot-delay": 30 } });
  const controller = new AbortController();
  const launched = p.launch(spec, noCheckpoint, controller.signal);
  await waitFor("the server created", () => p.cloud.servers.size === 1);
  controller.abort();
  await assert.rejects(launched, (error) => {
    assert.ok(error instanceof LaunchError);
    assert.equal(error.result, "error.unknown");
    assert.doesNotMatch(error.message, /launch-timeout/);
    return true;
  });
  p.cloud.close();
});
