/**
 * A small install as an operator would have it, for the plan and apply tests: a fake-cloud
 * provider with a cloud-image label kept at min-ready, a diskimage with old builds, a
 * provider that no longer takes images, and ZooKeeper records from an earlier life.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { NodepoolZk } from "../../../engine/zk/nodepool-zk.ts";
import { asBuildId, type NodeId } from "../../../engine/zk/ids.ts";
import { newBuild, newUpload } from "../../../engine/zk/records/image.ts";
import { newNode } from "../../../engine/zk/records/node.ts";
import { newRequest } from "../../../engine/zk/records/request.ts";
import { epochSeconds } from "../../../engine/zk/records/_codec.ts";

export const SECRET = "s3cret-registry-pass";

export interface Install {
  dir: string;
  configPath: string;
  securePath: string;
}

/** Writes nodepool.yaml (min-ready `minReady` of `small`) and a secure file holding a DIB secret. */
/** `provider` names the first provider (default cloud-a): the fake cloud of a name lives as long as the process. */
export async function writeInstall(t: TestContext, options: { minReady: number; images: boolean; provider?: string }): Promise<Install> {
  const dir = await mkdtemp(join(tmpdir(), "plan-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const images = options.images
    ? `images-dir: ${join(dir, "images")}
build-log-dir: ${join(dir, "build-logs")}
diskimages:
  - name: fake-image
    rebuild-age: 86400
    env-vars:
      REGISTRY_PASSWORD: from-secure-file
`
    : "";
  const configPath = join(dir, "nodepool.yaml");
  await writeFile(
    configPath,
    `${images}labels:
  - name: small
    min-ready: ${options.minReady}
    max-ready-age: 3600
providers:
  - name: ${options.provider ?? "cloud-a"}
    driver: fake
    cloud: fake
    fake-cloud:
      boot-delay: 0
    ${options.images ? "diskimages:\n      - name: fake-image" : "diskimages: []"}
    cloud-images:
      - name: precise
        image-name: Fake Precise
    pools:
      - name: main
        max-servers: 10
        labels:
          - name: small
            cloud-image: precise
            min-ram: 2048
  - name: cloud-b
    driver: fake
    cloud: fake
    diskimages: []
    pools:
      - name: main
        max-servers: 10
        labels: []
`,
  );
  const securePath = join(dir, "secure.conf");
  await writeFile(securePath, options.images ? `diskimages:\n  - name: fake-image\n    env-vars:\n      REGISTRY_PASSWORD: ${SECRET}\n` : "{}\n");
  return { dir, configPath, securePath };
}

/** Every znode below /nodepool with its creation, data and children versions: any write changes it. */
export async function treeSnapshot(zk: NodepoolZk, path = "/nodepool"): Promise<string[]> {
  let got: Awaited<ReturnType<typeof zk.client.get>>;
  try {
    got = await zk.client.get(path);
  } catch {
    return [];
  }
  const { stat, data } = got;
  const lines = [`${path} ${stat.czxid}/${stat.mzxid}/${stat.pzxid} ${data.toString("utf8")}`];
  for (const child of (await zk.client.getChildren(path)).sort()) lines.push(...(await treeSnapshot(zk, `${path}/${child}`)));
  return lines;
}

export interface Seeded {
  oldReady: NodeId;
  used: NodeId;
  /** A used node whose lock another process (Zuul) holds. */
  lockedUsed: NodeId;
  /** The ready upload of the newest build to cloud-b, whose diskimages is empty. */
  upload: string;
}

/** Records an install has after a while: an old ready node, used nodes, builds of fake-image. */
export async function seedState(zk: NodepoolZk, other: NodepoolZk): Promise<Seeded> {
  const now = epochSeconds();
  const node = async (state: "ready" | "used", age: number): Promise<NodeId> => {
    const stored = await zk.storeNode(newNode({ state, provider: "cloud-a", pool: "main", type: ["small"], externalId: `server-${state}-${age}` }, now - age));
    return stored.id as NodeId;
  };
  const oldReady = await node("ready", 7200);
  const used = await node("used", 60);
  const lockedUsed = await node("used", 30);
  await other.lockNode(lockedUsed, { blocking: false });
  const builds = [];
  for (const age of [3, 2.5, 2]) {
    builds.push(await zk.storeBuild(newBuild("fake-image", { state: "ready", formats: ["qcow2"], username: "zuul" }, now - age * 86400)));
  }
  const newest = builds[builds.length - 1]!;
  const upload = await zk.storeUpload(
    newUpload("fake-image", newest.id ?? asBuildId("0"), "cloud-b", { state: "ready", externalId: "img-b", externalName: "fake-image-b", format: "qcow2", username: "zuul" }, now - 86400),
  );
  return { oldReady, used, lockedUsed, upload: upload.id ?? "" };
}

/** A request Zuul submitted for one `small` node. */
export async function zuulRequest(zk: NodepoolZk): Promise<string> {
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["small"], requestor: "zuul" }), 200);
  return request.id ?? "";
}
