import { Option } from "clipanion";
import { NodepoolCommand } from "./base.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool image-delete --provider P --image I --build-id B --upload-id U` (behaviour.md §5.3). */
export class ImageDeleteCommand extends NodepoolCommand {
  static override paths = [["image-delete"]];
  static override usage = NodepoolCommand.Usage({
    description: "Delete an image upload from a provider",
    details: "Marks the upload deleting; the builder deletes it from the cloud and ZooKeeper. Launchers then boot the previous upload; unless the provider's image is paused, the builder uploads the newest build again.",
    examples: [["Delete the newest upload", "$0 image-delete --provider cloud1 --image ubuntu --build-id 0000000012 --upload-id 0000000001"]],
  });

  provider = Option.String("--provider", { required: true, description: "Provider name" });
  image = Option.String("--image", { required: true, description: "Image name" });
  buildId = Option.String("--build-id", { required: true, description: "Build id (10 digits)" });
  uploadId = Option.String("--upload-id", { required: true, description: "Upload id (10 digits)" });

  async run(): Promise<number> {
    const ref = { image: this.image, build: this.buildId, provider: this.provider, upload: this.uploadId };
    const { deleteImageUpload } = await import("../../engine/builder/operations.ts"); // on demand: keeps the launcher and builder engines out of the start-up of the other commands
    const outcome = await withZooKeeper(this, ({ zk }) => deleteImageUpload(zk, ref));
    if (outcome === "not-found") this.context.stdout.write("Image upload not found\n");
    if (outcome === "in-progress") this.context.stdout.write("Cannot delete because image upload in progress\n");
    return 0;
  }
}
