import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { LaunchError } from "../../../../engine/drivers/driver.ts";
import { cloudForTest, openstackTest } from "../../../helpers/openstack.ts";
import { live, providerConfig, spec, started, uniqueName } from "./_provider.ts";

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
