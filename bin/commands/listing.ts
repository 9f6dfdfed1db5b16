import { Option } from "clipanion";
import { NODE_LIST_BASIC_FIELDS, STATUS_LISTINGS, type ListingName } from "../../engine/status/index.ts";
import { epochSeconds, type NodepoolZk } from "../../engine/zk/index.ts";
import { NodepoolCommand } from "./base.ts";
import { withZooKeeper } from "./zk-connect.ts";

const LIST_READER_SESSIONS = 4;

/**
 * A command that prints one of the listings the web API also serves (engine/status): a
 * table, or with `--json` the endpoint's JSON array.
 */
export abstract class ListingCommand extends NodepoolCommand {
  abstract readonly listing: ListingName;

  json = Option.Boolean("--json", false, { description: "Print JSON (the web API's objects) instead of a table" });

  /** Text only: the keys of the columns to show (all when undefined). */
  protected fields(): readonly string[] | undefined {
    return undefined;
  }

  async run(): Promise<number> {
    const fields = this.fields();
    const out = await withZooKeeper(
      this,
      ({ zk }) => STATUS_LISTINGS[this.listing].render(zk, { json: this.json, now: epochSeconds(), ...(fields === undefined ? {} : { fields }) }),
      // The node list reads every node's record and lock: ZooKeeper answers one session's
      // requests in order, several sessions' in parallel (10,000 nodes: 0.43 s on four, 0.66 s on two).
      { readerSessions: this.listing === "node-list" ? LIST_READER_SESSIONS : 1 },
    );
    this.context.stdout.write(`${out}\n`);
    return 0;
  }
}

/**
 * What `delete` and `hold` print: the reference's message when there is one (on stderr with
 * `--json`, which still prints the node's objects), else the node's `list` row.
 */
export async function renderNodeOutcome(command: NodepoolCommand, zk: NodepoolZk, options: { id: string; json: boolean; problem?: string | undefined }): Promise<string> {
  if (options.problem !== undefined) {
    if (!options.json) return options.problem;
    command.context.stderr.write(`${options.problem}\n`);
  }
  return STATUS_LISTINGS["node-list"].render(zk, { json: options.json, now: epochSeconds(), nodeId: options.id, fields: NODE_LIST_BASIC_FIELDS });
}
