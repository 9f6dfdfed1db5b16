/** What the ZooKeeper benchmarks share: a fleet of ready node records written with pipelined creates. */
import { randomUUID } from "node:crypto";
import { epochSeconds, newNode, type NodepoolZk, type NodeRecord } from "../engine/zk/index.ts";

/** Writes `count` ready nodes (ages one second apart), 2,000 requests in flight at a time. */
export async function writeReadyNodes(zk: NodepoolZk, count: number): Promise<NodeRecord[]> {
  const now = epochSeconds();
  const stored: NodeRecord[] = [];
  const batch = 2_000;
  for (let i = 0; i < count; i += batch) {
    const written = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, (_, j) =>
        zk.storeNode(
          newNode(
            {
              state: "ready",
              provider: "cloud-east",
              pool: "main",
              type: ["ubuntu-jammy"],
              externalId: randomUUID(),
              hostname: `ubuntu-jammy-cloud-east-${i + j}`,
              publicIpv4: `203.0.113.${(i + j) % 250}`,
              privateIpv4: `10.0.${Math.floor((i + j) / 250) % 250}.${(i + j) % 250}`,
              az: "az1",
              launcher: "nl01-1234-PoolWorker.cloud-east-main",
              attributes: { "executor-zone": "east" },
            },
            now - (i + j),
          ),
        ),
      ),
    );
    stored.push(...written);
  }
  return stored;
}
