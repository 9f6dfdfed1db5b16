import { Option } from "clipanion";
import { NodepoolCommand } from "./base.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool dib-image-delete <image>-<build id>` (behaviour.md §5.3). */
export class DibImageDeleteCommand extends NodepoolCommand {
  static override paths = [["dib-image-delete"]];
  static override usage = NodepoolCommand.Usage({
    description: "Delete a dib built image from disk along with all cloud uploads of this image",
    details: "Marks the build deleting; the builder's cleanup deletes its uploads from every cloud, then its files and record. A new build follows only if no other ready build younger than rebuild-age remains.",
    examples: [["Delete a build", "$0 dib-image-delete ubuntu-bionic-0000000012"]],
  });

  id = Option.String({ name: "id" });

  async run(): Promise<number> {
    const { deleteDibImage } = await import("../../engine/builder/operations.ts"); // on demand: keeps the launcher and builder engines out of the start-up of the other commands
    const outcome = await withZooKeeper(this, ({ zk }) => deleteDibImage(zk, this.id));
    if (outcome === "not-found") this.context.stdout.write(`Build ${this.id} not found\n`);
    if (outcome === "in-progress") this.context.stdout.write("Cannot delete a build in progress\n");
    return 0;
  }
}
