/**
 * The real OpenStack for tests (scripts/openstack.sh, which scripts/test.sh starts): its
 * clouds.yaml, clients for its clouds, and `openstackTest`, the options that skip a test with
 * a reason only when NODEPOOL_TEST_OPENSTACK=none says no cloud is available.
 */
import { join } from "node:path";
import type { TestContext } from "node:test";
import { OpenStackClient, type ClientOptions } from "../../engine/drivers/openstack/index.ts";

export const openstackDir = process.env.NODEPOOL_OPENSTACK_DIR ?? "/var/tmp/nodepool-openstack";
export const cloudsFile = join(openstackDir, "clouds.yaml");
/** Environment under which clouds.yaml is found: only the test cloud's file. */
export const cloudsEnv: NodeJS.ProcessEnv = { OS_CLIENT_CONFIG_FILE: cloudsFile, OS_CLIENT_SECURE_FILE: join(openstackDir, "no-secure.yaml"), HOME: openstackDir };

export const openstackTest: { skip?: string } =
  process.env.NODEPOOL_TEST_OPENSTACK === "none" ? { skip: "NODEPOOL_TEST_OPENSTACK=none: no OpenStack cloud on this machine" } : {};

/** A client of the test cloud: `local` (project demo), `local-quota` or `local-admin`. */
export function testClient(cloud = "local", options: ClientOptions = {}): OpenStackClient {
  return OpenStackClient.fromCloudsYaml(cloud, { env: cloudsEnv, ...options });
}

/** The public image every project can boot. */
export const TEST_IMAGE = "tiny-raw";

export interface CloudForTest {
  /** A client closed when the test ends, after every deferred clean-up ran. */
  client(cloud?: string, options?: ClientOptions): OpenStackClient;
  /** Runs `undo` when the test ends, latest first (servers before the provider that made them). */
  defer(undo: () => Promise<unknown>): void;
  /** When the test ends, deletes every server (and its floating IPs) a provider of that name left. */
  removeServersOf(provider: string): void;
}

export function cloudForTest(t: TestContext): CloudForTest {
  const clients: OpenStackClient[] = [];
  const undo: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const fn of undo.reverse()) await fn().catch(() => undefined);
    await Promise.all(clients.map((c) => c.close()));
  });
  return {
    client(cloud = "local", options = {}) {
      const client = testClient(cloud, options);
      clients.push(client);
      return client;
    },
    defer(fn) {
      undo.push(fn);
    },
    removeServersOf(provider) {
      const client = testClient();
      clients.push(client);
      undo.push(async () => {
        const servers = (await client.nova.listServers()).filter((s) => s.metadata.nodepool_provider_name === provider).map((s) => s.id);
        const fips = await client.neutron.listFloatingIps();
        for (const fip of fips) {
          const device = (fip as { port_details?: { device_id?: string } | null }).port_details?.device_id;
          if (device && servers.includes(device)) await client.neutron.deleteFloatingIp(fip.id).catch(() => undefined);
        }
        await Promise.all(servers.map((id) => client.nova.deleteServer(id).catch(() => undefined)));
      });
    },
  };
}
