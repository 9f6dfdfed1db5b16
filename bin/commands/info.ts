import { Option } from "clipanion";
import { loadProviderInfo, renderProviderInfo } from "../../engine/status/index.ts";
import { epochSeconds } from "../../engine/zk/index.ts";
import { NodepoolCommand } from "./base.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool info PROVIDER`: the image builds and nodes ZooKeeper holds for a provider (behaviour.md §5.3). */
export class InfoCommand extends NodepoolCommand {
  static override paths = [["info"]];
  static override usage = NodepoolCommand.Usage({
    description: "Show ZooKeeper data for a provider",
    details: "The builds of each image that have uploads for the provider, and the provider's nodes with their server ids. Read-only.",
    examples: [["Show what ZooKeeper holds for a provider", "$0 info cloud-east"]],
  });

  provider = Option.String({ name: "provider" });
  json = Option.Boolean("--json", false, { description: "Print JSON: {provider, image_builds, nodes}" });

  async run(): Promise<number> {
    const info = await withZooKeeper(this, ({ zk }) => loadProviderInfo(zk, this.provider));
    this.context.stdout.write(`${this.json ? JSON.stringify(info) : renderProviderInfo(info, epochSeconds())}\n`);
    return 0;
  }
}
