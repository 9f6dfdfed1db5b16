import { Option } from "clipanion";
import { UsageError } from "../../engine/errors.ts";
import { NodepoolCommand } from "./base.ts";
import { currentPlan, withPlanSession } from "./plan.ts";

/** `nodepool apply` exit status when an action failed or the timeout ended it. */
export const APPLY_FAILED_EXIT = 4;
const DEFAULT_TIMEOUT_S = 900;

/** `nodepool apply`: one reconcile pass of the plan, carried out and waited for. */
export class ApplyCommand extends NodepoolCommand {
  static override paths = [["apply"]];
  static override usage = NodepoolCommand.Usage({
    description: "Carry out what nodepool plan shows, and wait for it",
    details: `
      Prints the plan, then runs it with the daemons' own builder workers and launcher executor, under the same locks: builds, uploads and image cleanup first, then the launcher's pass and the work it takes on (launches for the requests it accepts, their fulfilment, min-ready requests served). One line per action started and finished, with node, request and build ids.

      With --wait it keeps reconciling until a pass plans nothing and no node of the configured providers is still launching, saying what it waits for.

      Exit status: 0 when every action succeeded (or there was nothing to do), ${APPLY_FAILED_EXIT} when an action failed or --timeout ended it (the failures listed), 1 when it could not run (an invalid config, ZooKeeper unreachable).
    `,
    examples: [
      ["Apply the next pass", "nodepool apply -c /etc/nodepool/nodepool.yaml"],
      ["Apply and wait until min-ready nodes are up", "nodepool apply -c nodepool.yaml --wait --timeout 300"],
    ],
  });

  wait = Option.Boolean("--wait", false, { description: "Keep reconciling until nothing is left to do and no node is launching" });
  timeout = Option.String("--timeout", { description: `Give up after this many seconds (default ${DEFAULT_TIMEOUT_S})` });

  private timeoutSeconds(): number {
    if (this.timeout === undefined) return DEFAULT_TIMEOUT_S;
    const seconds = Number(this.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout takes a number of seconds greater than 0, not "${this.timeout}"`);
    return seconds;
  }

  async run(): Promise<number> {
    const timeoutMs = this.timeoutSeconds() * 1000;
    const code = await withPlanSession(this, async (session) => {
      const { applyPlan, redact, renderPlan } = await import("../../engine/plan-view/index.ts"); // on demand: keeps the launcher and builder engines out of the start-up of the other commands
      const print = (text: string): void => void this.context.stdout.write(redact(text, session.secrets));
      const { entries } = await currentPlan(session);
      print(renderPlan(entries));
      if (entries.length === 0) return 0;
      print("\n");
      const result = await applyPlan({
        zk: session.zk,
        config: session.config,
        secretPaths: session.secretPaths,
        log: session.log,
        wait: this.wait,
        timeoutMs,
        report: (line) => print(`${line}\n`),
      });
      if (result.unfinished !== null) {
        print(`\nTimed out after ${timeoutMs / 1000}s, still waiting for:\n${result.unfinished.map((u) => `  ${u}\n`).join("")}`);
      }
      if (result.failures.length > 0) print(`\nFailed (${result.failures.length}):\n${result.failures.map((f) => `  ${f}\n`).join("")}`);
      const ok = result.failures.length === 0 && result.unfinished === null;
      print(`\nApply ${ok ? "complete" : "incomplete"}: ${result.done} action${result.done === 1 ? "" : "s"} done, ${result.failures.length} failed.\n`);
      return ok ? 0 : APPLY_FAILED_EXIT;
    }, { createChroot: true });
    // Work this apply left behind (a launch abandoned at the timeout, an in-process cloud's
    // boot timer) must not keep the command running: once the exit status is set, exit.
    setImmediate(() => process.exit());
    return code;
  }
}
