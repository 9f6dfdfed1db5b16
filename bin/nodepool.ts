import { Builtins, Cli } from "clipanion";
import { commands } from "./commands/index.ts";

const cli = new Cli({ binaryLabel: "nodepool", binaryName: "nodepool", binaryVersion: "0.1.0" });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
for (const command of commands) cli.register(command);
await cli.runExit(process.argv.slice(2));
