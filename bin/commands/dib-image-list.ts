import { ListingCommand } from "./listing.ts";

/** `nodepool dib-image-list`: every image build (behaviour.md §5.3). */
export class DibImageListCommand extends ListingCommand {
  static override paths = [["dib-image-list"]];
  static override usage = ListingCommand.Usage({
    description: "List images built with diskimage-builder",
    details: "One row per build of every diskimage, as /dib-image-list serves it.",
  });
  readonly listing = "dib-image-list";
}
