/** What the OpenStack provider tests share: a provider config on the test cloud, started providers, launch specs. */
import { randomUUID } from "node:crypto";
import { openstackProviderSchema } from "../../../../schema/index.ts";
import type { LaunchSpec } from "../../../../engine/drivers/driver.ts";
import { OpenStackProvider } from "../../../../engine/drivers/openstack/provider.ts";
import { quietLogger } from "../../../helpers/zk.ts";
import { cloudsEnv, TEST_IMAGE, type CloudForTest } from "../../../helpers/openstack.ts";

type Keys = Record<string, unknown>;

export function providerConfig(name: string, pool: Keys = {}, provider: Keys = {}) {
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

export async function started(os: CloudForTest, config: ReturnType<typeof providerConfig>): Promise<OpenStackProvider> {
  const provider = new OpenStackProvider(config, { log: quietLogger, env: cloudsEnv, pollIntervalMs: 300 });
  os.defer(() => provider.stop());
  os.removeServersOf(config.name);
  await provider.start(live);
  return provider;
}

/** The signal of calls nobody aborts. */
export const live = new AbortController().signal;
export const uniqueName = (): string => `os-test-${randomUUID().slice(0, 8)}`;
export const spec = (nodeId: string, label = "small"): LaunchSpec => ({ nodeId, pool: "main", label, az: null, image: null });

