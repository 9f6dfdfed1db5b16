import { Builtins, Cli, type CommandClass } from "clipanion";

const args = process.argv.slice(2);
const cli = new Cli({ binaryLabel: "nodepool", binaryName: "nodepool", binaryVersion: "0.1.0" });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
for (const command of await commandsFor(args)) cli.register(command);
if (args.length === 0) {
  // No command: the help text and status 1, as the reference (behaviour.md §5.1, scenario 82).
  await cli.run(["--help"]);
  process.exitCode = 1;
} else {
  await cli.runExit(args);
}

/**
 * `nodepool list` loads its own command only: a fifth less start-up CPU, with no YAML parser,
 * config schema or other command to load. Clipanion resolves `list …` to the same command, with
 * the same errors, whatever else is registered, since no other command's path starts with
 * `list` (test/bin/nodepool.test.ts keeps that so).
 */
async function commandsFor(argv: readonly string[]): Promise<CommandClass[]> {
  if (argv[0] === "list") return [(await import("./commands/list.ts")).ListCommand];
  return (await import("./commands/index.ts")).commands;
}
