import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openstackProviderSchema } from "../../../../schema/index.ts";
import { LaunchError, QuotaExceededError, type LaunchSpec } from "../../../../engine/drivers/driver.ts";
import { OpenStackAuthError } from "../../../../engine/drivers/openstack/index.ts";
import { OpenStackProvider } from "../../../../engine/drivers/openstack/provider.ts";
import { quietLogger } from "../../../helpers/zk.ts";
import { cloudForTest, cloudsEnv, openstackTest, TEST_IMAGE, type CloudForTest } from "../../../helpers/openstack.ts";

type Keys = Record<string, unknown>;

function providerConfig(name: string, pool: Keys = {}, provider: Keys = {}) {
  return openstackProviderSchema.parse({
    name,
    cloud: "local",
    "region-name": "RegionOne",
    rate: 0,
    "launch-timeout": 120,
    "cloud-images": [{ name: "tiny", "image-name": TEST_IMAGE, username: "cirros" }],
    diskimages: [{ name: "built" }],
    ...provider,
    pools: [
      {
        name: "main",
        networks: ["private"],
        "security-groups": ["default"],
        "auto-floating-ip": false,
        "host-key-checking": false,
        ...pool,
        labels: [
          { name: "small", "cloud-image": "tiny", "min-ram": 400, "instance-properties": { purpose: "test", groups: "overridden" }, userdata: "#cloud-config\n" },
          { name: "built", diskimage: "built", "flavor-name": "m1.tiny" },
        ],
      },
    ],
  });
}

async function started(os: CloudForTest, config: ReturnType<typeof providerConfig>): Promise<OpenStackProvider> {
  const provider = new OpenStackProvider(config, { log: quietLogger, env: cloudsEnv, pollIntervalMs: 300 });
  os.defer(() => provider.stop());
  await provider.start(live);
  return provider;
}

/** The signal of calls nobody aborts. */
const live = new AbortController().signal;
const uniqueName = (): string => `os-test-${randomUUID().slice(0, 8)}`;
const spec = (nodeId: string, label = "small"): LaunchSpec => ({ nodeId, pool: "main", label, az: null, image: null });

test("a launch boots a server with Nodepool's metadata and the node's fields; deletion waits until it is gone", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const name = uniqueName();
  const provider = await started(os, providerConfig(name));
  const checkpoints: unknown[] = [];
  const fields = await provider.launch(spec("0000000101"), async (f) => {
    checkpoints.push(f);
  }, live);
  const id = fields.external_id as string;
  os.defer(() => provider.deleteServer(id as never, live));
  assert.equal(checkpoints.length, 1);
  assert.equal(fields.hostname, `small-${name}-0000000101`);
  assert.equal(fields.image_id, "tiny");
  assert.equal(fields.username, "cirros");
  assert.deepEqual(fields.resources, { cores: 1, instances: 1, ram: 512 });
  assert.equal(fields.az, "nova");
  assert.equal(fields.region, "RegionOne");
  assert.equal(fields.cloud, "local");
  assert.match(fields.private_ipv4 ?? "", /^10\.77\.0\./);
  assert.equal(fields.interface_ip, fields.private_ipv4);
  assert.equal(fields.public_ipv4, "");
  assert.deepEqual(fields.host_keys, []);

  // What Nova shows of it.
  const client = os.client();
  const server = (await client.nova.listServers()).find((s) => s.id === id);
  assert.equal(server?.status, "ACTIVE");
  assert.equal(server?.name, fields.hostname);
  assert.deepEqual(server?.metadata, {
    purpose: "test",
    groups: `${name},tiny,small`,
    nodepool_provider_name: name,
    nodepool_node_id: "0000000101",
    nodepool_image_name: "tiny",
    nodepool_node_label: "small",
    nodepool_pool_name: "main",
  });
  const listed = (await provider.listServers(live)).find((s) => s.id === id);
  assert.deepEqual(listed?.resources, { cores: 1, instances: 1, ram: 512 });
  assert.equal(listed?.status, "ACTIVE");

  await provider.deleteServer(id as never, live);
  assert.ok(!(await client.nova.listServers()).some((s) => s.id === id));
  await provider.deleteServer(id as never, live);
});

test("with auto-floating-ip a floating IP is attached as the interface IP and deleted with the server", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const provider = await started(os, providerConfig(uniqueName(), { "auto-floating-ip": true }));
  const fields = await provider.launch(spec("0000000102"), async () => undefined, live);
  const id = fields.external_id as string;
  os.defer(() => provider.deleteServer(id as never, live));
  assert.match(fields.public_ipv4 ?? "", /^198\.51\.100\./);
  assert.equal(fields.interface_ip, fields.public_ipv4);
  assert.match(fields.private_ipv4 ?? "", /^10\.77\.0\./);
  const client = os.client();
  const [fip] = await client.neutron.listFloatingIps({ floating_ip_address: fields.public_ipv4 ?? "" });
  assert.ok(fip?.port_id, "the floating IP is attached to the server's port");
  await provider.deleteServer(id as never, live);
  assert.deepEqual(await client.neutron.listFloatingIps({ floating_ip_address: fields.public_ipv4 ?? "" }), []);
});

test("a server Nova puts in ERROR fails the launch with Nova's fault message", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const admin = os.client("local-admin");
  // A flavor no host can fit: the scheduler finds no valid host and Nova records the fault.
  const flavor = `huge-${randomUUID().slice(0, 8)}`;
  await admin.session.call("CreateFlavor", "compute", "POST", "/flavors", { body: { flavor: { name: flavor, ram: 64, vcpus: 1, disk: 900000 } } });
  os.defer(async () => {
    const found = (await admin.nova.listFlavors()).find((f) => f.name === flavor);
    if (found) await admin.session.call("DeleteFlavor", "compute", "DELETE", `/flavors/${found.id}`);
  });
  const config = providerConfig(uniqueName());
  const small = config.pools[0]!.labels[0]!;
  config.pools[0]!.labels[0] = { ...small, "min-ram": 0, "flavor-name": flavor };
  const provider = await started(os, config);
  await assert.rejects(provider.launch(spec("0000000103"), async () => undefined, live), (e: unknown) => {
    assert.ok(e instanceof LaunchError);
    assert.equal(e.result, "error.status");
    assert.match(e.message, /is ERROR, not ACTIVE: No valid host was found/);
    const failed = e.externalId;
    assert.ok(failed);
    os.defer(() => provider.deleteServer(failed, live));
    return true;
  });
});

test("limits come from the project's quota, and a quota refusal aborts rather than fails", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const admin = os.client("local-admin");
  const quotaClient = os.client("local-quota");
  const project = await quotaClient.session.projectId();
  const setQuota = (quota_set: Record<string, number>) => admin.session.call("SetQuota", "compute", "PUT", `/os-quota-sets/${project}`, { body: { quota_set } });
  os.defer(() => setQuota({ instances: 10, cores: 20, ram: 51200 }));
  await setQuota({ instances: 3, cores: -1, ram: 2048 });
  const provider = await started(os, providerConfig(uniqueName(), { networks: ["quota-net"] }, { cloud: "local-quota" }));
  assert.deepEqual(await provider.limits(live), { instances: 3, cores: Infinity, ram: 2048 });
  await setQuota({ instances: 0, cores: -1, ram: 2048 });
  await assert.rejects(provider.launch(spec("0000000104"), async () => undefined, live), (e: unknown) => {
    assert.ok(e instanceof QuotaExceededError);
    assert.equal(e.result, "error.quota");
    assert.match(e.message, /Quota exceeded for instances/);
    return true;
  });
});

test("wrong credentials fail the provider's start with Keystone's answer", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const dir = mkdtempSync(join(tmpdir(), "clouds-"));
  writeFileSync(join(dir, "clouds.yaml"), `clouds:\n  local:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: demo\n      password: wrong\n      project_name: demo\n      user_domain_name: Default\n      project_domain_name: Default\n`);
  const provider = new OpenStackProvider(providerConfig(uniqueName()), { log: quietLogger, env: { HOME: dir, OS_CLIENT_CONFIG_FILE: join(dir, "clouds.yaml") } });
  os.defer(() => provider.stop());
  await assert.rejects(provider.start(live), (e: unknown) => e instanceof OpenStackAuthError && /refused the credentials of user demo/.test(e.message));
});

test("an upload streams to Glance with Nodepool's properties, boots, lists and is deleted by id", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const name = uniqueName();
  const provider = await started(os, providerConfig(name));
  const file = join(mkdtempSync(join(tmpdir(), "upload-")), "built.qcow2");
  writeFileSync(file, Buffer.alloc(2 * 1024 * 1024, 1));
  const checkpointed: string[] = [];
  const { externalId } = await provider.uploadImage({
    name: `built-${name}`,
    filename: file,
    format: "raw",
    meta: { nodepool_build_id: "0000000007", nodepool_upload_id: "0000000001", purpose: "ci" },
  }, async (id) => {
    checkpointed.push(id);
  }, live);
  os.defer(() => provider.deleteImage(externalId, live));
  assert.deepEqual(checkpointed, [externalId]);
  const listed = (await provider.listImages(live)).find((i) => i.id === externalId);
  assert.equal(listed?.status, "active");
  assert.deepEqual(
    { ...listed?.properties },
    { ...listed?.properties, nodepool_build_id: "0000000007", nodepool_upload_id: "0000000001", nodepool_provider_name: name, purpose: "ci" },
  );
  const image = { kind: "diskimage" as const, name: "built", uploadPath: "/nodepool/images/built/builds/0000000007/providers/p/images/0000000001", externalId, username: "zuul" };
  const fields = await provider.launch({ ...spec("0000000105", "built"), image }, async () => undefined, live);
  os.defer(() => provider.deleteServer(fields.external_id as never, live));
  assert.equal(fields.image_id, image.uploadPath);
  assert.equal(fields.username, "zuul");
  await provider.deleteServer(fields.external_id as never, live);
  await provider.deleteImage(externalId, live);
  assert.ok(!(await provider.listImages(live)).some((i) => i.id === externalId));
});

test("clean-floating-ips removes floating IPs attached to nothing", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const provider = await started(os, providerConfig(uniqueName(), {}, { "clean-floating-ips": true }));
  const client = os.client();
  const [external] = await client.neutron.listNetworks({ "router:external": true });
  const created = await client.session.call("CreateFloatingIP", "network", "POST", "/floatingips", {
    body: { floatingip: { floating_network_id: external?.id } },
  });
  assert.equal(created, undefined);
  const before = (await client.neutron.listFloatingIps()).filter((f) => f.port_id === null);
  assert.ok(before.length >= 1);
  const result = await provider.cleanupLeakedResources(live);
  assert.ok(result.floatingIps >= 1);
  assert.deepEqual((await client.neutron.listFloatingIps()).filter((f) => f.port_id === null && before.some((b) => b.id === f.id)), []);
});
