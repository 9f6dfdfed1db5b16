import { ListingCommand } from "./listing.ts";

/** `nodepool label-list`: the labels the registered launchers serve (behaviour.md §6.3). */
export class LabelListCommand extends ListingCommand {
  static override paths = [["label-list"]];
  static override usage = ListingCommand.Usage({
    description: "List the labels launchers can supply",
    details: "Every label in the supported labels of the registered launchers, sorted, as /label-list serves it.",
  });
  readonly listing = "label-list";
}
