/**
 * A small Nodepool tree for the status tests: two nodes (one locked by another session), a
 * build with uploads to two providers, a failed build, a request and two launchers.
 */
import { asBuildId, asLauncherId, newBuild, newLauncher, newNode, newRequest, newUpload } from "../../../engine/zk/index.ts";
import type { NodeId, NodepoolZk, NodeRecord, RequestId, ZkLock } from "../../../engine/zk/index.ts";

export const T0 = 1_700_000_000;

export interface Seeded {
  readonly ready: NodeRecord & { readonly id: NodeId };
  readonly used: NodeRecord & { readonly id: NodeId };
  readonly request: RequestId;
  /** Held by another ZooKeeper session on `used`. */
  readonly lock: ZkLock;
}

export async function seedTree(zk: NodepoolZk, other: NodepoolZk): Promise<Seeded> {
  const ready = await zk.storeNode(
    newNode(
      {
        state: "ready",
        provider: "fake-provider",
        pool: "main",
        type: ["fake-label"],
        externalId: "server-a",
        publicIpv4: "fake",
        publicIpv6: "",
        privateIpv4: "fake",
        az: "az1",
        hostname: "fake-label-fake-provider-0000000000",
        launcher: "nl01-1-PoolWorker.fake-provider-main",
      },
      T0,
    ),
  );
  const used = await zk.storeNode(
    newNode({ state: "in-use", provider: "other-provider", pool: "p", type: ["a", "b"], externalId: "server-b", holdJob: "t p j .*", comment: "kept" }, T0 - 90061),
  );
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["fake-label", "a"], requestor: "zuul", relativePriority: 3, declinedBy: [asLauncherId("l1")] }, T0), "200");
  // As builders do: the lock directories come first, so the first ids are 0000000001.
  await (await zk.lockImageBuild("fake-image")).release();
  await (await zk.lockImageBuild("another-image")).release();
  const build = await zk.storeBuild(newBuild("fake-image", { state: "ready", builder: "builder01", formats: ["raw", "qcow2"] }, T0));
  await zk.storeBuild(newBuild("another-image", { state: "failed" }, T0));
  const buildId = build.id ?? asBuildId("");
  for (const provider of ["fake-provider", "other-provider"]) await (await zk.lockUpload("fake-image", buildId, provider)).release();
  await zk.storeUpload(newUpload("fake-image", buildId, "fake-provider", { state: "ready", externalId: "img-1", externalName: "fake-image-1700000000" }, T0 + 10));
  await zk.storeUpload(newUpload("fake-image", buildId, "other-provider", { state: "uploading" }, T0 + 20));
  await zk.registerLauncher(newLauncher(asLauncherId("nl01-1-PoolWorker.fake-provider-main"), "fake-provider", ["fake-label", "b-label"]));
  await other.registerLauncher(newLauncher(asLauncherId("nl02-2-PoolWorker.other-provider-p"), "other-provider", ["a-label", "fake-label"]));
  const { lock } = await other.lockNode(used.id as NodeId);
  return { ready: { ...ready, id: ready.id as NodeId }, used: { ...used, id: used.id as NodeId }, request: request.id as RequestId, lock };
}
