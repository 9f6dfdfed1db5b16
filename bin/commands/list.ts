import { Option } from "clipanion";
import { NODE_LIST_BASIC_FIELDS } from "../../engine/status/index.ts";
import { ListingCommand } from "./listing.ts";

/** `nodepool list [--detail]`: every node and whether it is locked (behaviour.md §5.4). */
export class ListCommand extends ListingCommand {
  static override paths = [["list"]];
  static override usage = ListingCommand.Usage({
    description: "List nodes",
    details: "One row per node in id order: 9 columns, or 18 with --detail; Locked tells whether someone holds the node's lock.",
  });
  readonly listing = "node-list";

  detail = Option.Boolean("--detail", false, { description: "Show all 18 columns" });

  protected override fields(): readonly string[] | undefined {
    return this.detail ? undefined : NODE_LIST_BASIC_FIELDS;
  }
}
