import assert from "node:assert/strict";
import { test } from "node:test";
import { imageProviders } from "../../../engine/builder/index.ts";
import { createProvider, describeProvider, DriverNotAvailableError } from "../../../engine/drivers/index.ts";
import { desiredFromConfig } from "../../../engine/reconcile/desired.ts";
import { loadValid } from "../../schema/_load.ts";

const { config } = loadValid(`
labels: [{ name: small }, { name: metal }, { name: pod }]
diskimages: [{ name: jammy }]
providers:
  - name: cloud
    cloud: vexxhost
    rate: 0.5
    launch-retries: 5
    diskimages: [{ name: jammy, meta: { team: ci } }]
    pools:
      - name: main
        max-servers: 4
        node-attributes: { key: value }
        labels: [{ name: small, diskimage: jammy, min-ram: 1024 }]
  - name: rack
    driver: static
    pools:
      - name: main
        nodes: [{ name: host1.example.org, labels: [metal], max-parallel-jobs: 2 }]
  - name: k8s
    driver: kubernetes
    context: admin
    pools: [{ name: main, labels: [{ name: pod, type: pod, image: busybox }] }]
`);

test("drivers declare what their providers do from the config alone: a cloud launches and takes images, static hosts are an inventory", () => {
  const [cloud, rack, k8s] = config.providers.map(describeProvider);
  assert.deepEqual([...(cloud?.abilities ?? [])].sort(), ["images", "launch", "leaks", "quota"]);
  assert.equal(cloud?.rate, 0.5);
  assert.equal(cloud?.launchRetries, 5);
  assert.deepEqual(cloud?.pools[0]?.nodeAttributes, { key: "value" });
  assert.deepEqual(cloud?.images?.diskimages, [{ name: "jammy", pause: false, meta: { team: "ci" } }]);
  assert.deepEqual([...(rack?.abilities ?? [])], ["inventory"]);
  assert.deepEqual([...(rack?.pools[0]?.labels.keys() ?? [])], ["metal"]);
  assert.equal(rack?.images, null);
  assert.deepEqual([...(k8s?.abilities ?? [])], [], "a driver this build does not implement can do nothing");
  assert.deepEqual([...(k8s?.pools[0]?.labels.keys() ?? [])], ["pod"]);
});

test("the engine asks the abilities: only launching providers launch, only image-taking ones get uploads", () => {
  const desired = desiredFromConfig(config, { hostname: "h", pid: 1 });
  assert.deepEqual(
    desired.providers.map((p) => [p.name, p.canLaunch]),
    [["cloud", true], ["rack", false], ["k8s", false]],
  );
  assert.deepEqual(imageProviders(config).map((p) => p.name), ["cloud"]);
});

test("a driver only described in this build cannot be started, and says which drivers can", () => {
  assert.throws(() => createProvider(config.providers[2]!), (error: unknown) => error instanceof DriverNotAvailableError && /driver kubernetes is not available in this build \(available: fake, openstack, static\)/.test(error.message));
});
