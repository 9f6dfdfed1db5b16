import { Option } from "clipanion";
import type { Logger } from "../../engine/log.ts";
import type { Observation, PlanEntry } from "../../engine/plan-view/index.ts";
import type { NodepoolZk } from "../../engine/zk/index.ts";
import type { NodepoolConfig } from "../../schema/index.ts";
import { NodepoolCommand } from "./base.ts";
import { connectCli, readValidConfig, zkHostsFor, type CliConnectOptions } from "./zk-connect.ts";

/** `nodepool plan` exit status when the next pass would change something (0: nothing would). */
export const CHANGES_PENDING_EXIT = 3;

/** What `plan` and `apply` work with: the config, its secret values (masked in all output), a connection. */
export interface PlanSession {
  readonly config: NodepoolConfig;
  readonly secrets: readonly string[];
  /** Key paths of the secret values (what the builder masks in its logs). */
  readonly secretPaths: readonly string[];
  readonly zk: NodepoolZk;
  readonly log: Logger;
}

export async function withPlanSession<T>(command: NodepoolCommand, work: (session: PlanSession) => Promise<T>, options: CliConnectOptions = {}): Promise<T> {
  const log = command.logger();
  const result = await readValidConfig(command);
  const { redact, secretValues } = await import("../../engine/plan-view/index.ts"); // on demand: keeps the launcher and builder engines out of the start-up of the other commands
  const secrets = secretValues(result.config, result.secretPaths);
  const zk = await connectCli(zkHostsFor(command, result.config), log, options);
  try {
    return await work({ config: result.config, secrets, secretPaths: result.secretPaths, zk, log });
  } catch (error) {
    if (error instanceof Error) error.message = redact(error.message, secrets);
    throw error;
  } finally {
    zk.close();
  }
}

/** The plan of what a launcher and builder started now would do first, from one read-only observation. */
export async function currentPlan(session: PlanSession): Promise<{ observation: Observation; entries: PlanEntry[] }> {
  const { observeOnce, planEntries, planObservation } = await import("../../engine/plan-view/index.ts"); // on demand: keeps the launcher and builder engines out of the start-up of the other commands
  const observation = await observeOnce(session.zk, session.config);
  const { launcher, builder } = planObservation(observation);
  return { observation, entries: planEntries(launcher, builder) };
}

/** `nodepool plan`: the actions the next reconcile pass would take, changing nothing. */
export class PlanCommand extends NodepoolCommand {
  static override paths = [["plan"]];
  static override usage = NodepoolCommand.Usage({
    description: "Show what the next reconcile pass would do",
    details: `
      Reads ZooKeeper and each provider's cloud once and prints the actions a launcher and a builder started now with this config would take, grouped by provider (builds under "images"), with + (create), - (delete) and ~ (change) markers and each action's reason. Changes nothing.

      Exit status: 0 when nothing would change ("No changes."), ${CHANGES_PENDING_EXIT} when changes are pending, 1 when it could not run (an invalid config, ZooKeeper or a provider unreachable).
    `,
    examples: [
      ["Preview the next pass", "nodepool plan -c /etc/nodepool/nodepool.yaml"],
      ["The actions as JSON", "nodepool plan -c nodepool.config.ts --json"],
    ],
  });

  json = Option.Boolean("--json", false, { description: "Print the actions as a JSON array" });

  async run(): Promise<number> {
    return withPlanSession(this, async (session) => {
      const { entries } = await currentPlan(session);
      const { redact, renderPlan } = await import("../../engine/plan-view/index.ts");
      const text = this.json ? `${JSON.stringify(entries, null, 2)}\n` : renderPlan(entries);
      this.context.stdout.write(redact(text, session.secrets));
      return entries.length === 0 ? 0 : CHANGES_PENDING_EXIT;
    });
  }
}
