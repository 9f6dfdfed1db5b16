/**
 * The launcher against the real test cloud (scripts/openstack.sh): requests fulfilled with
 * servers Nova shows, deletion with floating IPs, leaked servers removed.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { nodepoolConfigSchema } from "../../../../schema/index.ts";
import type { NodeId } from "../../../../engine/zk/ids.ts";
import { newRequest } from "../../../../engine/zk/records/request.ts";
import { waitFor, zkForTest } from "../../../helpers/zk.ts";
import { cloudForTest, cloudsEnv, openstackTest, TEST_IMAGE } from "../../../helpers/openstack.ts";
import { startLauncher } from "../../launcher/fixtures.ts";
import type { NodepoolZk } from "../../../../engine/zk/nodepool-zk.ts";

// The daemons find the test cloud as an operator's would: through OS_CLIENT_CONFIG_FILE.
Object.assign(process.env, cloudsEnv);

function launcherConfig(provider: string, pool: Record<string, unknown> = {}) {
  return nodepoolConfigSchema.parse({
    labels: [{ name: "small" }],
    providers: [
      {
        name: provider,
        cloud: "local",
        "region-name": "RegionOne",
        rate: 0,
        "cloud-images": [{ name: "tiny", "image-name": TEST_IMAGE, username: "cirros" }],
        pools: [
          {
            name: "main",
            "max-servers": 4,
            networks: ["private"],
            "host-key-checking": false,
            ...pool,
            labels: [{ name: "small", "cloud-image": "tiny", "min-ram": 512 }],
          },
        ],
      },
    ],
  });
}

const uniqueName = (): string => `os-launcher-${randomUUID().slice(0, 8)}`;

/** A request once fulfilled or failed; a real cloud under load boots in tens of seconds. */
function requestDone(zk: NodepoolZk, id: string) {
  return waitFor(`request ${id} fulfilled or failed`, async () => {
    const r = await zk.getNodeRequest(id as never);
    return r && (r.state === "fulfilled" || r.state === "failed") ? r : undefined;
  }, 150_000);
}

test("a request is fulfilled with servers Nova shows, floating IPs attached; a used node is deleted with both", openstackTest, async (t) => {
  const { zk } = await zkForTest(t);
  const provider = uniqueName();
  await startLauncher(t, zk, launcherConfig(provider));
  const os = cloudForTest(t);
  os.removeServersOf(provider);
  const client = os.client();
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["small", "small"], requestor: "zuul-test" }), 200);
  const done = await requestDone(zk, request.id!);
  assert.equal(done.state, "fulfilled");
  const nodes = await Promise.all(done.nodes.map((id) => zk.getNode(id as NodeId)));
  const servers = await client.nova.listServers();
  for (const node of nodes) {
    assert.ok(node);
    assert.equal(node.state, "ready");
    assert.equal(node.cloud, "local");
    assert.equal(node.region, "RegionOne");
    assert.equal(node.az, "nova");
    assert.equal(node.username, "cirros");
    assert.match(node.publicIpv4 ?? "", /^198\.51\.100\./);
    assert.equal(node.interfaceIp, node.publicIpv4);
    assert.match(node.privateIpv4 ?? "", /^10\.77\.0\./);
    const server = servers.find((s) => s.id === node.externalId);
    assert.equal(server?.status, "ACTIVE");
    assert.equal(server?.name, `small-${provider}-${node.id}`);
    assert.equal(server?.metadata.nodepool_node_id, node.id);
    assert.equal(server?.metadata.nodepool_provider_name, provider);
  }
  await zk.deleteNodeRequest(request.id!);
  const node = nodes[0]!;
  const { lock, record } = await zk.lockNode(node.id as NodeId);
  await zk.storeNode({ ...record, state: "used" }, lock);
  await lock.release();
  await waitFor("the used node and its server gone", async () => (await zk.getNode(node.id as NodeId)) === null && !(await client.nova.listServers()).some((s) => s.id === node.externalId), 60_000);
  assert.deepEqual(await client.neutron.listFloatingIps({ floating_ip_address: node.publicIpv4 ?? "" }), []);
});

test("a server with this provider's metadata and no node record is deleted as leaked; another provider's is left alone", openstackTest, async (t) => {
  const { zk } = await zkForTest(t);
  const provider = uniqueName();
  const os = cloudForTest(t);
  os.removeServersOf(provider);
  const client = os.client();
  const [image] = await client.glance.findByName(TEST_IMAGE);
  const boot = (name: string, owner: string) =>
    client.nova.createServer({
      name,
      flavorRef: "1",
      imageRef: image!.id,
      networks: [],
      securityGroups: [],
      availabilityZone: null,
      keyName: null,
      userData: null,
      configDrive: null,
      metadata: { nodepool_provider_name: owner, nodepool_node_id: "0999999999" },
      volume: null,
    });
  const leaked = await boot(`leaked-${provider}`, provider);
  const foreign = await boot(`foreign-${provider}`, `${provider}-other`);
  os.defer(() => client.nova.deleteServer(leaked));
  os.defer(() => client.nova.deleteServer(foreign));
  await startLauncher(t, zk, launcherConfig(provider, { "auto-floating-ip": false }));
  await waitFor("the leaked server deleted", async () => !(await client.nova.listServers()).some((s) => s.id === leaked), 60_000);
  assert.ok((await client.nova.listServers()).some((s) => s.id === foreign));
});
