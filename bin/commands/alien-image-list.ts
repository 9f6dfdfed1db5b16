import { Option } from "clipanion";
import { renderTable } from "../../engine/status/index.ts";
import { NodepoolCommand } from "./base.ts";
import { InvalidConfigError } from "../../schema/index.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool alien-image-list [PROVIDER]`: cloud images Nodepool uploaded but no longer knows (behaviour.md §5.3). */
export class AlienImageListCommand extends NodepoolCommand {
  static override paths = [["alien-image-list"]];
  static override usage = NodepoolCommand.Usage({
    description: "List images with the nodepool_build_id property that ZooKeeper does not know",
    details: "For each image-managing provider (or only PROVIDER), lists the cloud's images carrying nodepool_build_id whose id is not a ready upload in ZooKeeper.",
    examples: [["List alien images of one provider", "$0 alien-image-list cloud1"]],
  });

  provider = Option.String({ name: "provider", required: false });
  json = Option.Boolean("--json", false, { description: "Print JSON objects instead of a table" });

  async run(): Promise<number> {
    const aliens = await withZooKeeper(this, async ({ zk, config, log }) => {
      if (config === null) throw new InvalidConfigError(`alien-image-list needs the config (${this.config}) to know the providers`);
      const [{ listAlienImages }, { createProvider }] = await Promise.all([import("../../engine/builder/operations.ts"), import("../../engine/drivers/index.ts")]); // on demand: keeps the launcher and builder engines out of the start-up of the other commands
      return listAlienImages(zk, config, { createProvider, log, ...(this.provider === undefined ? {} : { provider: this.provider }) });
    });
    const out = this.json
      ? JSON.stringify(aliens.map((a) => ({ provider: a.provider, name: a.name, id: a.id })))
      : renderTable(["Provider", "Name", "Image ID"], aliens.map((a) => [a.provider, a.name, a.id]));
    this.context.stdout.write(`${out}\n`);
    return 0;
  }
}
