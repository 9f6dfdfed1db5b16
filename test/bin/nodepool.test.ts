import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { Builtins, Cli, type CommandClass } from "clipanion";
import { commands } from "../../bin/commands/index.ts";
import { ListCommand } from "../../bin/commands/list.ts";
import { nodepool } from "./commands/_cli.ts";

/** `nodepool list` registers only its own command (bin/nodepool.ts); these keep that invisible. */

function cliWith(registered: readonly CommandClass[]): Cli {
  const cli = new Cli({ binaryLabel: "nodepool", binaryName: "nodepool", binaryVersion: "0.1.0" });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  for (const command of registered) cli.register(command);
  return cli;
}

/** What a command line comes to: the list command's options, the text help prints, or the syntax error. */
async function outcome(cli: Cli, args: string[]): Promise<string> {
  let command;
  try {
    command = cli.process(args);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
  if (command instanceof ListCommand) {
    const { config, secure, zookeeper, debug, json, detail } = command;
    return `list ${JSON.stringify({ config, secure, zookeeper, debug, json, detail })}`;
  }
  let printed = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed += chunk.toString();
      done();
    },
  });
  const code = await cli.run(args, { stdout: sink, stderr: sink });
  return `${command.constructor.name} exit ${code}: ${printed}`;
}

test("no other command's path starts with `list`, so the list-only start-up resolves the same command", () => {
  const others = commands.filter((command) => command !== ListCommand);
  assert.deepEqual(others.flatMap((command) => command.paths ?? []).filter((path) => path[0] === "list"), []);
  assert.ok(commands.includes(ListCommand));
});

test("`list …` parses, helps and fails the same with only ListCommand registered as with every command", async () => {
  const alone = cliWith([ListCommand]);
  const all = cliWith(commands);
  for (const args of [
    ["list"],
    ["list", "--detail", "--json", "--zookeeper", "zk:2181/x", "-c", "a.yaml", "-s", "b.yaml", "--debug"],
    ["list", "--bogus"],
    ["list", "extra"],
    ["list", "--zookeeper"],
    ["list", "-h"],
    ["list", "--version"],
    ["list", "list"],
  ]) {
    assert.equal(await outcome(alone, args), await outcome(all, args), args.join(" "));
  }
});

test("the built command prints list's help and its syntax errors as before", async () => {
  const help = await nodepool(["list", "--help"]);
  assert.equal(help.exitCode, 0);
  assert.match(String(help.stdout), /List nodes/);
  const bad = await nodepool(["list", "--bogus"]);
  assert.equal(bad.exitCode, 1);
  assert.match(String(bad.stdout), /Unsupported option name \("--bogus"\)/);
});
