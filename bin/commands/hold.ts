import { Option } from "clipanion";
import { holdNode } from "../../engine/status/index.ts";
import { NodepoolCommand } from "./base.ts";
import { renderNodeOutcome } from "./listing.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool hold ID [--reason TEXT]`: keep a node for inspection (behaviour.md §2.15). */
export class HoldCommand extends NodepoolCommand {
  static override paths = [["hold"]];
  static override usage = NodepoolCommand.Usage({
    description: "Place a node in the HOLD state",
    details:
      "Locks the node (waiting at most 5 s) and sets it to hold, with the reason as its comment. A held node is never reused or deleted by a launcher until max-hold-age passes or an operator deletes it. Then prints the node's row. A node whose record cannot be read (malformed) cannot be held: the command fails and says so.",
    examples: [["Hold a node", '$0 hold 0000000042 --reason "debugging a flaky job"']],
  });

  id = Option.String({ name: "id" });
  reason = Option.String("--reason", { description: "Why the node is held (stored as its comment)" });
  json = Option.Boolean("--json", false, { description: "Print the node's /node-list object" });

  async run(): Promise<number> {
    const out = await withZooKeeper(this, async ({ zk }) => {
      const held = await holdNode(zk, this.id, this.reason === undefined ? {} : { reason: this.reason });
      return renderNodeOutcome(this, zk, { id: this.id, json: this.json, problem: held === null ? `Node id ${this.id} not found` : undefined });
    });
    this.context.stdout.write(`${out}\n`);
    return 0;
  }
}
