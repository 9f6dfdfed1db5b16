import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { OpenStackAuthError, OpenStackClient, OpenStackNotFoundError, type ApiCall } from "../../../../engine/drivers/openstack/index.ts";
import type { NovaServer } from "../../../../engine/drivers/openstack/nova.ts";
import { cloudForTest, openstackTest, TEST_IMAGE } from "../../../helpers/openstack.ts";

async function until<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function imageId(client: OpenStackClient, name: string): Promise<string> {
  const [image] = await client.glance.findByName(name);
  assert.ok(image, `image ${name} exists in the test cloud`);
  return image.id;
}

test("password auth reads the catalog; every call is timed and counted by operation", openstackTest, async (t) => {
  const calls: ApiCall[] = [];
  const client = cloudForTest(t).client("local", { onCall: (c) => calls.push(c) });
  const flavors = await client.nova.listFlavors();
  assert.ok(flavors.some((f) => f.name === "m1.tiny" && f.ram === 512 && f.vcpus === 1));
  const networks = await client.neutron.listNetworks({ name: "private" });
  assert.equal(networks.length, 1);
  assert.ok((await client.glance.findByName(TEST_IMAGE)).length >= 1);
  assert.deepEqual(
    calls.map((c) => [c.operation, c.service, c.status]),
    [
      ["Authenticate", "identity", 201],
      ["ListFlavors", "compute", 200],
      ["ListNetworks", "network", 200],
      ["ListImages", "image", 200],
    ],
  );
  assert.ok(calls.every((c) => c.ms > 0));
  assert.equal(client.calls.get("ListFlavors"), 1);
});

test("wrong credentials are an auth error naming the user and the file, never the password", openstackTest, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "clouds-"));
  const file = join(dir, "clouds.yaml");
  writeFileSync(file, `clouds:\n  bad:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: demo\n      password: not-the-password\n      project_name: demo\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n`);
  const client = OpenStackClient.fromCloudsYaml("bad", { env: { OS_CLIENT_CONFIG_FILE: file, HOME: dir } });
  cloudForTest(t).defer(() => client.close());
  await assert.rejects(client.nova.listFlavors(), (e: unknown) => {
    assert.ok(e instanceof OpenStackAuthError);
    assert.match(e.message, /refused the credentials of user demo \(HTTP 401/);
    assert.ok(e.message.includes(file));
    assert.ok(!e.message.includes("not-the-password"));
    return true;
  });
});

test("an application credential authenticates; a token the cloud no longer accepts is renewed after the 401", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const client = os.client();
  // The user makes itself an application credential through Keystone, as an operator would.
  const login = await fetch("http://127.0.0.1:5000/v3/auth/tokens", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      auth: {
        identity: { methods: ["password"], password: { user: { name: "demo", domain: { name: "Default" }, password: "demo" } } },
        scope: { project: { name: "demo", domain: { name: "Default" } } },
      },
    }),
  });
  const token = login.headers.get("x-subject-token") ?? "";
  const userId = ((await login.json()) as { token: { user: { id: string } } }).token.user.id;
  const made = await fetch(`http://127.0.0.1:5000/v3/users/${userId}/application_credentials`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-auth-token": token },
    body: JSON.stringify({ application_credential: { name: `nodepool-test-${randomUUID()}` } }),
  });
  assert.equal(made.status, 201);
  const credential = ((await made.json()) as { application_credential: { id: string; secret: string } }).application_credential;
  os.defer(() => fetch(`http://127.0.0.1:5000/v3/users/${userId}/application_credentials/${credential.id}`, { method: "DELETE", headers: { "x-auth-token": token } }));
  const dir = mkdtempSync(join(tmpdir(), "clouds-"));
  writeFileSync(
    join(dir, "clouds.yaml"),
    `clouds:\n  appcred:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: http://127.0.0.1:5000\n      application_credential_id: ${credential.id}\n    region_name: RegionOne\n`,
  );
  writeFileSync(join(dir, "secure.yaml"), `clouds:\n  appcred:\n    auth:\n      application_credential_secret: ${credential.secret}\n`);
  const appClient = OpenStackClient.fromCloudsYaml("appcred", { env: { HOME: dir }, cwd: dir });
  os.defer(() => appClient.close());
  assert.ok((await appClient.nova.limits()).maxTotalInstances > 0);

  // The cloud stops accepting the client's token (expired, revoked, keys rotated): the next call
  // gets a 401, authenticates again and succeeds.
  await client.nova.limits();
  (client.session as unknown as { token: { value: string } }).token.value = "gAAAAA-no-longer-valid";
  await client.nova.limits();
  assert.equal(client.calls.get("Authenticate"), 2);
  assert.equal(client.calls.get("GetLimits"), 3);
});

test("a server is created with metadata, listed with its flavor and address, and deleted", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const client = os.client();
  const name = `client-test-${randomUUID().slice(0, 8)}`;
  const id = await client.nova.createServer({
    name,
    flavorRef: "1",
    imageRef: await imageId(client, TEST_IMAGE),
    networks: [],
    securityGroups: ["default"],
    availabilityZone: null,
    keyName: null,
    userData: "#cloud-config\n",
    configDrive: true,
    metadata: { nodepool_node_id: "0000000001", purpose: "client-test" },
    volume: null,
  });
  os.defer(() => client.nova.deleteServer(id));
  const active = await until<NovaServer>("server ACTIVE", 60, async () => (await client.nova.listServers()).find((s) => s.id === id && s.status !== "BUILD"));
  assert.equal(active.status, "ACTIVE");
  assert.equal(active.name, name);
  assert.deepEqual(active.metadata, { nodepool_node_id: "0000000001", purpose: "client-test" });
  assert.deepEqual([active.flavor?.vcpus, active.flavor?.ram], [1, 512]);
  assert.match(active.addresses.private?.[0]?.addr ?? "", /^10\.77\.0\./);
  assert.ok((await client.nova.availabilityZones()).includes("nova"));

  // A floating IP from the external network, attached to the server's port in one call.
  const [external] = await client.neutron.listNetworks({ "router:external": true });
  assert.ok(external);
  const [port] = await client.neutron.listPorts({ device_id: id });
  assert.ok(port);
  const fip = await client.neutron.createFloatingIp(external.id, port.id);
  assert.match(fip.floating_ip_address, /^198\.51\.100\./);
  assert.equal(fip.port_id, port.id);
  assert.deepEqual((await client.neutron.listFloatingIps({ port_id: port.id })).map((f) => f.id), [fip.id]);
  await client.neutron.deleteFloatingIp(fip.id);
  await assert.rejects(client.neutron.deleteFloatingIp(fip.id), OpenStackNotFoundError);

  await client.nova.deleteServer(id);
  await until("server gone", 60, async () => ((await client.nova.listServers()).some((s) => s.id === id) ? undefined : true));
  await assert.rejects(client.nova.deleteServer(id), OpenStackNotFoundError);
});

test("an image file is streamed to Glance with properties, becomes active and is deleted by id", openstackTest, async (t) => {
  const os = cloudForTest(t);
  const client = os.client();
  const file = join(mkdtempSync(join(tmpdir(), "image-")), "disk.raw");
  writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
  const name = `client-test-${randomUUID().slice(0, 8)}`;
  const image = await client.glance.createImage(name, "raw", { nodepool_build_id: "0000000001", nodepool_upload_id: "0000000002" });
  os.defer(() => client.glance.deleteImage(image.id));
  assert.equal(image.status, "queued");
  await client.glance.uploadData(image.id, file);
  const uploaded = await until("image active", 60, async () => {
    const got = await client.glance.getImage(image.id);
    return got.status === "active" ? got : undefined;
  });
  assert.equal(uploaded.properties.nodepool_build_id, "0000000001");
  const owned = await client.glance.listOwned(await client.session.projectId());
  assert.ok(owned.some((i) => i.id === image.id && i.name === name));
  await client.glance.deleteImage(image.id);
  await assert.rejects(client.glance.getImage(image.id), OpenStackNotFoundError);
});
