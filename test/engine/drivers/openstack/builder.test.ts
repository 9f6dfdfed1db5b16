/** The builder against the real test cloud: a diskimage built, streamed to Glance, and booted from by the launcher. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type { NodeId } from "../../../../engine/zk/ids.ts";
import { newRequest } from "../../../../engine/zk/records/request.ts";
import { waitFor, zkForTest } from "../../../helpers/zk.ts";
import { cloudForTest, cloudsEnv, openstackTest } from "../../../helpers/openstack.ts";
import { startLauncher } from "../../launcher/fixtures.ts";
import { config as builderConfig, startBuilder, testDirs } from "../../builder/_builder.ts";

Object.assign(process.env, cloudsEnv);

test("the builder uploads a built image to Glance and the launcher boots nodes from it", openstackTest, async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const provider = `os-builder-${randomUUID().slice(0, 8)}`;
  const yaml = `
images-dir: {images}
build-log-dir: {logs}
labels:
  - name: built
providers:
  - name: ${provider}
    cloud: local
    region-name: RegionOne
    rate: 0
    diskimages:
      - name: test-image
        meta: {purpose: ci}
    pools:
      - name: main
        max-servers: 2
        networks: [private]
        auto-floating-ip: false
        host-key-checking: false
        labels:
          - name: built
            diskimage: test-image
            flavor-name: m1.tiny
diskimages:
  - name: test-image
    elements: [base]
`;
  const cfg = builderConfig(yaml, dirs);
  await startBuilder(t, zk, cfg, dirs);
  const upload = await waitFor("a ready upload", async () => (await zk.getMostRecentImageUpload("test-image", provider)) ?? undefined, 120_000);
  const os = cloudForTest(t);
  os.removeServersOf(provider);
  const client = os.client();
  os.defer(async () => {
    for (const image of await client.glance.findByName(upload.externalName ?? "")) await client.glance.deleteImage(image.id);
  });
  const image = await client.glance.getImage(upload.externalId ?? "");
  assert.equal(image.status, "active");
  assert.equal(image.name, upload.externalName);
  assert.equal(image.properties.nodepool_provider_name, provider);
  assert.equal(image.properties.nodepool_build_id, upload.buildId);
  assert.equal(image.properties.nodepool_upload_id, upload.id);
  assert.equal(image.properties.purpose, "ci");

  await startLauncher(t, zk, cfg);
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["built"], requestor: "zuul-test" }), 200);
  const done = await waitFor("the request fulfilled", async () => {
    const r = await zk.getNodeRequest(request.id!);
    return r && r.state !== "requested" && r.state !== "pending" ? r : undefined;
  }, 150_000);
  assert.equal(done.state, "fulfilled");
  const node = await zk.getNode(done.nodes[0] as NodeId);
  const server = (await client.nova.listServers()).find((s) => s.id === node?.externalId);
  assert.equal(server?.metadata.nodepool_image_name, "test-image");
  assert.equal((server as { image?: { id?: string } } | undefined)?.image?.id, upload.externalId);
  await zk.deleteNodeRequest(request.id!);
  const { lock, record } = await zk.lockNode(node!.id as NodeId);
  await zk.storeNode({ ...record, state: "used" }, lock);
  await lock.release();
  await waitFor("the node's server gone", async () => !(await client.nova.listServers()).some((s) => s.id === node?.externalId), 60_000);
});
