import { Option } from "clipanion";
import { NodepoolCommand } from "./base.ts";
import { InvalidConfigError } from "../../schema/index.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool image-build IMAGE`: ask the builders for a new build now (behaviour.md §5.3). */
export class ImageBuildCommand extends NodepoolCommand {
  static override paths = [["image-build"]];
  static override usage = NodepoolCommand.Usage({
    description: "Build an image now",
    details: "Leaves a build request for the diskimage in ZooKeeper; a nodepool-builder builds it and uploads it to every provider that uses it. Refused for paused images and for names that are not diskimages.",
    examples: [["Rebuild an image", "$0 image-build ubuntu-bionic"]],
  });

  image = Option.String({ name: "image" });

  async run(): Promise<number> {
    await withZooKeeper(this, async ({ zk, config }) => {
      if (config === null) throw new InvalidConfigError(`image-build needs the config (${this.config}) to know the diskimages`);
      const { requestImageBuild } = await import("../../engine/builder/operations.ts"); // on demand: keeps the launcher and builder engines out of the start-up of the other commands
      await requestImageBuild(zk, config, this.image);
    }, { createChroot: true });
    return 0;
  }
}
