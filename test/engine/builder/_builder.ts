/** A builder on the test's ZooKeeper chroot, building with nodepool-image-create into a temp dir. */
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Builder, type BuilderOptions } from "../../../engine/builder/builder.ts";
import { resetFakeClouds } from "../../../engine/drivers/fake/cloud.ts";
import { createStatsClient } from "../../../engine/stats/client.ts";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { loadConfigText, type NodepoolConfig } from "../../../schema/index.ts";
import { quietLogger } from "../../helpers/zk.ts";

export const IMAGE_CREATE = new URL("../../../bin/nodepool-image-create", import.meta.url).pathname;

export interface TestDirs {
  dir: string;
  imagesDir: string;
  logDir: string;
}

export async function testDirs(t: TestContext): Promise<TestDirs> {
  const dir = await mkdtemp(join(tmpdir(), "builder-test-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  resetFakeClouds();
  return { dir, imagesDir: join(dir, "images"), logDir: join(dir, "logs") };
}

/** The config YAML with `{images}` and `{logs}` filled in. */
export function config(yaml: string, dirs: TestDirs): NodepoolConfig {
  const result = loadConfigText(yaml.replaceAll("{images}", dirs.imagesDir).replaceAll("{logs}", dirs.logDir), "nodepool.yaml");
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  return result.config;
}

export async function startBuilder(
  t: TestContext,
  zk: NodepoolZk,
  cfg: NodepoolConfig,
  dirs: TestDirs,
  extra: Partial<BuilderOptions> = {},
): Promise<Builder> {
  const builder = new Builder({
    zk,
    config: cfg,
    builderId: "0b7c9a1e-2d3a-4f67-9a1b-0c2d3e4f5a6b",
    imagesDir: dirs.imagesDir,
    log: quietLogger,
    stats: createStatsClient({ log: quietLogger }),
    dibCommand: IMAGE_CREATE,
    retryDelayMs: 200,
    periodicMs: 500,
    ...extra,
  });
  t.after(() => builder.stop());
  await builder.start();
  return builder;
}

export const standard = `
images-dir: {images}
build-log-dir: {logs}
build-log-retention: 1
providers:
  - name: fake-provider
    driver: fake
    cloud: fake
    region-name: fake-region
    diskimages:
      - name: fake-image
        meta: {key: value}
    pools: []
diskimages:
  - name: fake-image
    elements: [base]
    release: 21
    env-vars:
      TMPDIR: /tmp
      REGISTRY_PASSWORD: hunter2-secret
`;
