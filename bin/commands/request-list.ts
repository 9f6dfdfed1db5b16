import { ListingCommand } from "./listing.ts";

/** `nodepool request-list`: every node request, in the order launchers serve them (behaviour.md §5.3). */
export class RequestListCommand extends ListingCommand {
  static override paths = [["request-list"]];
  static override usage = ListingCommand.Usage({
    description: "List node requests",
    details: "One row per node request, in the order launchers serve them, as /request-list serves it.",
  });
  readonly listing = "request-list";
}
