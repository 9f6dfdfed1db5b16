import { createInterface } from "node:readline/promises";
import { Option } from "clipanion";
import { eraseProviderBuilds, eraseProviderNodes } from "../../engine/status/index.ts";
import { NodepoolCommand } from "./base.ts";
import { withZooKeeper } from "./zk-connect.ts";

/** `nodepool erase PROVIDER [--force]`: forget a provider's builds and nodes in ZooKeeper (behaviour.md §5.3). */
export class EraseCommand extends NodepoolCommand {
  static override paths = [["erase"]];
  static override usage = NodepoolCommand.Usage({
    description: "Erase ZooKeeper data for a provider",
    details:
      "Removes the provider's upload records under every build and every node record of the provider, locked or not. Nothing is deleted in the cloud. Asks for confirmation unless --force.",
    examples: [["Erase without asking", "$0 erase cloud-east --force"]],
  });

  provider = Option.String({ name: "provider" });
  force = Option.Boolean("--force", false, { description: "Do not ask for confirmation" });
  json = Option.Boolean("--json", false, { description: 'Print JSON: {provider, erased, builds, nodes} (messages go to stderr)' });

  async run(): Promise<number> {
    // With --json, stdout carries only the JSON document.
    const say = (line: string): void => void (this.json ? this.context.stderr : this.context.stdout).write(`${line}\n`);
    if (!this.force && !(await this.confirm(say))) {
      say("Aborting. No data erased.");
      if (this.json) this.context.stdout.write(`${JSON.stringify({ provider: this.provider, erased: false, builds: [], nodes: [] })}\n`);
      return 0;
    }
    const result = await withZooKeeper(this, async ({ zk }) => {
      say(`Erasing build data for ${this.provider}...`);
      const builds = await eraseProviderBuilds(zk, this.provider);
      say(`Erasing node data for ${this.provider}...`);
      const nodes = await eraseProviderNodes(zk, this.provider);
      return { provider: this.provider, erased: true, builds, nodes };
    });
    if (this.json) this.context.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }

  private async confirm(say: (line: string) => void): Promise<boolean> {
    say("");
    say("WARNING! This action is not reversible!");
    const prompt = createInterface({ input: this.context.stdin, output: this.json ? this.context.stderr : this.context.stdout });
    try {
      const answer = await Promise.race([
        prompt.question(`Erase ZooKeeper data for provider ${this.provider}? [N/y] `),
        new Promise<string>((resolve) => prompt.once("close", () => resolve(""))),
      ]);
      return answer.trim().toLowerCase() === "y";
    } finally {
      prompt.close();
    }
  }
}
