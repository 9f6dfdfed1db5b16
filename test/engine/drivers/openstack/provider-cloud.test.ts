import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QuotaExceededError } from "../../../../engine/drivers/driver.ts";
import { OpenStackAuthError } from "../../../../engine/drivers/openstack/index.ts";
import { OpenStackProvider } from "../../../../engine/drivers/openstack/provider.ts";
import { quietLogger } from "../../../helpers/zk.ts";
import { cloudForTest, openstackTest } from "../../../helpers/openstack.ts";
import { live, providerConfig, spec, started, uniqueName } from "./_provider.ts";

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

test("a DOWN compute port of no server, seen on two passes, is deleted as leaked; a live server's port is kept", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const provider = await started(os, providerConfig(uniqueName()));
  provider.portCleanupAge = 0;
  const client = os.client();
  const [network] = await client.neutron.listNetworks({ name: "private" });
  const made = await client.session.call("CreatePort", "network", "POST", "/ports", {
    body: { port: { network_id: network?.id, device_owner: "compute:nova", name: "leaked-port" } },
  });
  assert.equal(made, undefined);
  const [leaked] = await client.neutron.listPorts({ name: "leaked-port" });
  assert.equal(leaked?.status, "DOWN");
  os.defer(() => client.neutron.deletePort(leaked!.id));
  const fields = await provider.launch(spec("0000000106"), async () => undefined, live);
  const [kept] = await client.neutron.listPorts({ device_id: fields.external_id ?? "" });
  assert.ok(kept);

  assert.equal((await provider.cleanupLeakedResources(live)).ports, 0, "the first pass only takes note");
  const second = await provider.cleanupLeakedResources(live);
  assert.ok(second.ports >= 1);
  assert.deepEqual(await client.neutron.listPorts({ name: "leaked-port" }), []);
  assert.deepEqual((await client.neutron.listPorts({ device_id: fields.external_id ?? "" })).map((p) => p.id), [kept.id]);
});
