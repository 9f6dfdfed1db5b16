import { ListingCommand } from "./listing.ts";

/** `nodepool image-list`: every upload of every build (behaviour.md §5.3). */
export class ImageListCommand extends ListingCommand {
  static override paths = [["image-list"]];
  static override usage = ListingCommand.Usage({
    description: "List images by provider",
    details: "One row per upload of every image build to every provider, as /image-list serves it.",
  });
  readonly listing = "image-list";
}
