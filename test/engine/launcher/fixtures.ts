/** Shared setup of the launcher tests: a fake-provider config, ready uploads, a started launcher. */
import type { TestContext } from "node:test";
import { nodepoolConfigSchema, type NodepoolConfig } from "../../../schema/index.ts";
import { Launcher, type LauncherOptions } from "../../../engine/launcher/launcher.ts";
import { asBuildId } from "../../../engine/zk/ids.ts";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { newBuild, newUpload } from "../../../engine/zk/records/image.ts";
import type { NodeRequestRecord } from "../../../engine/zk/records/request.ts";
import { quietLogger, waitFor } from "../../helpers/zk.ts";

export interface ConfigOverrides {
  minReady?: number;
  maxReadyAge?: number;
  maxServers?: number;
  provider?: string;
  /** Extra provider keys (launch-retries, max-concurrency, fake-cloud, ...). */
  providerKeys?: Record<string, unknown>;
  /** Extra pool keys (max-cores, max-ram, ...). */
  poolKeys?: Record<string, unknown>;
  /** Extra top-level keys (max-hold-age, ...). */
  topKeys?: Record<string, unknown>;
}

export function config(overrides: ConfigOverrides = {}): NodepoolConfig {
  const provider = overrides.provider ?? "fake-provider";
  return nodepoolConfigSchema.parse({
    ...overrides.topKeys,
    labels: [{ name: "fake-label", "min-ready": overrides.minReady ?? 0, "max-ready-age": overrides.maxReadyAge ?? 0 }, { name: "cloud-label" }],
    diskimages: [{ name: "fake-image" }],
    providers: [
      {
        name: provider,
        driver: "fake",
        cloud: "fake",
        "region-name": "fake-region",
        rate: 0.0001,
        "fake-cloud": { "boot-delay": 0, "max-instances": -1, "max-cores": -1 },
        ...overrides.providerKeys,
        diskimages: [{ name: "fake-image" }],
        "cloud-images": [{ name: "precise", "image-name": "Fake Precise" }],
        pools: [
          {
            name: "main",
            "max-servers": overrides.maxServers ?? 96,
            "availability-zones": ["az1"],
            "node-attributes": { key1: "value1" },
            ...overrides.poolKeys,
            labels: [
              { name: "fake-label", diskimage: "fake-image", "min-ram": 8192, "flavor-name": "Fake" },
              { name: "cloud-label", "cloud-image": "precise", "min-ram": 8192 },
            ],
          },
        ],
      },
    ],
  });
}

export async function readyUpload(zk: NodepoolZk, provider = "fake-provider"): Promise<string> {
  const build = await zk.storeBuild(newBuild("fake-image", { state: "ready", formats: ["qcow2"], username: "zuul" }));
  const upload = await zk.storeUpload(
    newUpload("fake-image", build.id ?? asBuildId("0"), provider, { state: "ready", externalId: "fake-image-id", externalName: "fake-image-1", format: "qcow2", username: "zuul" }),
  );
  return `/nodepool/images/fake-image/builds/${upload.buildId}/providers/${provider}/images/${upload.id}`;
}

export async function startLauncher(t: TestContext, zk: NodepoolZk, cfg: NodepoolConfig, pid = process.pid, options: Partial<LauncherOptions> = {}): Promise<Launcher> {
  const launcher = new Launcher({ zk, config: cfg, log: quietLogger, identity: { hostname: "test", pid }, cleanupIntervalMs: 500, retryIntervalMs: 300, ...options });
  await launcher.start();
  t.after(() => launcher.stop());
  return launcher;
}

export async function requestState(zk: NodepoolZk, id: string, states: string[]): Promise<NodeRequestRecord> {
  return waitFor(`request ${id} in ${states.join("/")}`, async () => {
    const r = await zk.getNodeRequest(id as never);
    return r && states.includes(r.state) ? r : undefined;
  });
}

