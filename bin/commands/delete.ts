import { Option } from "clipanion";
import { deleteNodeCommand } from "../../engine/status/index.ts";
import { NodepoolCommand } from "./base.ts";
import { renderNodeOutcome } from "./listing.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool delete ID [--now]`: mark a node for deletion, or delete it at once (behaviour.md §5.3). */
export class DeleteCommand extends NodepoolCommand {
  static override paths = [["delete"]];
  static override usage = NodepoolCommand.Usage({
    description: "Place a node in the DELETE state",
    details:
      "Locks the node (waiting at most 5 s) and sets it to deleting; a launcher deletes its server and record. With --now this command deletes the server through the provider's driver and removes the record itself. Then prints the node's row. A node whose record cannot be read (malformed) has its record deleted under its lock, with or without --now; a server it had is left to the launchers' leaked-instance cleanup.",
    examples: [["Delete a node now", "$0 delete 0000000042 --now"]],
  });

  id = Option.String({ name: "id" });
  now = Option.Boolean("--now", false, { description: "Delete the node's server and record now instead of leaving it to a launcher" });
  json = Option.Boolean("--json", false, { description: "Print the node's /node-list object (an empty array once deleted)" });

  async run(): Promise<number> {
    const out = await withZooKeeper(this, async ({ zk, config }) => {
      // The drivers load only for --now, which needs them.
      const createProvider = this.now && config !== null ? (await import("../../engine/drivers/index.ts")).createProvider : undefined;
      const outcome = await deleteNodeCommand(zk, this.id, {
        now: this.now,
        ...(config === null ? {} : { providers: config.providers }),
        ...(createProvider === undefined ? {} : { createProvider }),
      });
      const problem =
        outcome.kind === "not-found"
          ? `Node id ${this.id} not found`
          : outcome.kind === "provider-not-configured"
            ? `Provider ${outcome.node.provider ?? "None"} for node ${this.id} not defined on this launcher`
            : outcome.kind === "unreadable-deleted"
              ? `Node id ${this.id} is malformed (${outcome.reason}): its record is deleted; a server it had is left to the launchers' leaked-instance cleanup`
              : undefined;
      return renderNodeOutcome(this, zk, { id: this.id, json: this.json, problem });
    });
    this.context.stdout.write(`${out}\n`);
    return 0;
  }
}
