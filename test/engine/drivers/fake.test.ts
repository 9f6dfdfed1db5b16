import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeProviderSchema } from "../../../schema/index.ts";
import { createProvider, LaunchError, QuotaExceededError, type Provider } from "../../../engine/drivers/index.ts";
import { resetFakeClouds, type FakeProvider } from "../../../engine/drivers/fake/index.ts";

function provider(name: string, extra: Record<string, unknown> = {}): FakeProvider {
  const config = fakeProviderSchema.parse({
    name,
    driver: "fake",
    cloud: "fake",
    "region-name": "fake-region",
    diskimages: [{ name: "fake-image" }],
    "cloud-images": [{ name: "cloudy", "image-name": "Fake Precise" }],
    pools: [
      {
        name: "main",
        "max-servers": 96,
        "availability-zones": ["az1"],
        labels: [
          { name: "fake-label", diskimage: "fake-image", "min-ram": 8192, "flavor-name": "Fake" },
          { name: "cloud-label", "cloud-image": "cloudy", "flavor-name": "f2" },
        ],
      },
    ],
    ...extra,
  });
  return createProvider(config) as FakeProvider;
}

const signal = new AbortController().signal;

const upload = {
  kind: "diskimage" as const,
  name: "fake-image",
  uploadPath: "/nodepool/images/fake-image/builds/0000000001/providers/p/images/0000000001",
  externalId: "img",
  username: "zuul",
};

test("a launch boots a server with nodepool metadata and returns the node fields", async () => {
  resetFakeClouds();
  const p = provider("p", { "fake-cloud": { "boot-delay": 0.01 } });
  const checkpoints: unknown[] = [];
  const fields = await p.launch(
    { nodeId: "0000000007", pool: "main", label: "fake-label", az: "az1", image: upload },
    async (f) => {
      checkpoints.push(f);
    },
    signal,
  );
  assert.equal(fields.hostname, "fake-label-p-0000000007");
  assert.equal(fields.image_id, upload.uploadPath);
  assert.deepEqual(fields.resources, { cores: 4, instances: 1, ram: 8192 });
  assert.deepEqual(fields.host_keys, ["ssh-rsa FAKEKEY"]);
  assert.equal(fields.interface_ip, "fake");
  assert.equal(checkpoints.length, 1);
  const server = p.cloud.servers.get(fields.external_id as never);
  assert.equal(server?.status, "ACTIVE");
  assert.deepEqual(server?.metadata, {
    groups: "p,fake-image,fake-label",
    nodepool_provider_name: "p",
    nodepool_node_id: "0000000007",
    nodepool_image_name: "fake-image",
    nodepool_node_label: "fake-label",
    nodepool_pool_name: "main",
  });
});

test("cloud images resolve by name and flavors by exact name", async () => {
  resetFakeClouds();
  const p = provider("p", { "fake-cloud": { "boot-delay": 0 } });
  assert.equal(await p.cloudImageAvailable("cloudy", signal), true);
  const fields = await p.launch({ nodeId: "0000000001", pool: "main", label: "cloud-label", az: null, image: null }, async () => {}, signal);
  assert.equal(fields.image_id, "cloudy");
  assert.equal(fields.username, null);
});

test("the instance limit makes creation fail with a quota error; limits come from fake-cloud", async () => {
  resetFakeClouds();
  const p = provider("p", { "fake-cloud": { "max-instances": 1, "max-cores": -1, "boot-delay": 0 } });
  assert.deepEqual(await p.limits(signal), { cores: Infinity, instances: 1, ram: 1_000_000 });
  await p.launch({ nodeId: "0000000001", pool: "main", label: "fake-label", az: "az1", image: upload }, async () => {}, signal);
  await assert.rejects(
    p.launch({ nodeId: "0000000002", pool: "main", label: "fake-label", az: "az1", image: upload }, async () => {}, signal),
    (e: unknown) => e instanceof QuotaExceededError && /quota exceeded/i.test(e.message),
  );
});

test("injected failures: plain, leaving a server, unknown AZ", async () => {
  resetFakeClouds();
  const p = provider("p", { "fake-cloud": { "boot-delay": 0 } });
  p.cloud.failCreates = 1;
  await assert.rejects(p.launch({ nodeId: "1", pool: "main", label: "fake-label", az: "az1", image: upload }, async () => {}, signal), LaunchError);
  p.cloud.failCreatesLeavingServer = 1;
  await assert.rejects(
    p.launch({ nodeId: "2", pool: "main", label: "fake-label", az: "az1", image: upload }, async () => {}, signal),
    (e: unknown) => e instanceof LaunchError && e.externalId !== null && p.cloud.servers.has(e.externalId),
  );
  await assert.rejects(p.launch({ nodeId: "3", pool: "main", label: "fake-label", az: "nope", image: upload }, async () => {}, signal), /400/);
  assert.equal(p.cloud.createCalls, 3);
});

test("a held build stays BUILD until released; deletion removes the server", async () => {
  resetFakeClouds();
  const p = provider("p", { "fake-cloud": { "boot-delay": 0 } });
  p.cloud.holdBuilds = true;
  const launch = p.launch({ nodeId: "1", pool: "main", label: "fake-label", az: "az1", image: upload }, async () => {}, signal);
  const [server] = await p.listServers(signal);
  assert.equal(server?.status, "BUILD");
  p.cloud.releaseBuilds();
  const fields = await launch;
  await p.deleteServer(fields.external_id as never, signal);
  assert.equal((await p.listServers(signal)).length, 0);
});

test("uploads store images, their id checkpointed first; SHOULD_FAIL fails them; deletion is by id; DOWN ports are removed on the second look", async () => {
  resetFakeClouds();
  const p = provider("p");
  const checkpointed: string[] = [];
  const checkpoint = async (id: string): Promise<void> => void checkpointed.push(id);
  const { externalId } = await p.uploadImage({ name: "fake-image", filename: "/x", format: "qcow2", meta: {} }, checkpoint, signal);
  const { externalId: twin } = await p.uploadImage({ name: "fake-image", filename: "/x", format: "qcow2", meta: {} }, checkpoint, signal);
  assert.deepEqual(checkpointed, [externalId, twin]);
  assert.ok((await p.listImages(signal)).some((i) => i.id === externalId));
  await assert.rejects(p.uploadImage({ name: "bad", filename: "/x", format: "qcow2", meta: { SHOULD_FAIL: "true" } }, checkpoint, signal));
  await p.deleteImage(externalId, signal);
  const left = await p.listImages(signal);
  assert.ok(!left.some((i) => i.id === externalId), "the image deleted by id is gone");
  assert.ok(left.some((i) => i.id === twin), "its namesake stays");
  p.portCleanupAge = -1;
  assert.deepEqual(await p.cleanupLeakedResources(signal), { ports: 0, floatingIps: 0 });
  assert.deepEqual(await p.cleanupLeakedResources(signal), { ports: 2, floatingIps: 0 });
});

test("the fake driver declares a cloud's abilities, and its provider has exactly those", () => {
  resetFakeClouds();
  const p = provider("p");
  assert.deepEqual([...p.traits.abilities].sort(), ["images", "launch", "leaks", "quota"]);
  assert.ok(p.servers && p.images && p.quota && p.leaks);
  assert.equal((p as Provider).inventory, undefined);
  assert.equal(p.images.format, "qcow2");
  assert.deepEqual(p.traits.images?.diskimages.map((d) => d.name), ["fake-image"]);
  assert.equal(p.traits.launchRetries, 3);
});
