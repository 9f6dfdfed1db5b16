import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { Builtins, Cli, type CommandClass } from "clipanion";
import { commands } from "../../bin/commands/index.ts";
import { ListCommand } from "../../bin/commands/list.ts";
import { zkForTest } from "../helpers/zk.ts";
import { nodepool, nodepoolOn } from "./commands/_cli.ts";

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
    const { config, secure, zookeeper, debug, logConfig, json, detail } = command;
    return `list ${JSON.stringify({ config, secure, zookeeper, debug, logConfig, json, detail })}`;
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
    ["list", "--detail", "--json", "--zookeeper", "zk:2181/x", "-c", "a.yaml", "-s", "b.yaml", "--debug", "-l", "log.yaml"],
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

test("no command: the help text and exit 1 (behaviour.md §5.1, scenario 82)", async () => {
  const result = await nodepool([]);
  assert.equal(result.exitCode, 1);
  assert.match(String(result.stdout), /nodepool list \[/);
  assert.match(String(result.stdout), /nodepool delete \[/);
});

test("-l LOGCONFIG, as the reference takes it: its level and file apply; a bad file fails the command with exit 1", async (t) => {
  const { hosts } = await zkForTest(t);
  const dir = await mkdtemp(join(tmpdir(), "nodepool-cli-log-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const logFile = join(dir, "logs", "cli.log");
  const logConfig = join(dir, "logging.yaml");
  await writeFile(logConfig, `level: debug\nfile: ${logFile}\n`);
  const listed = await nodepoolOn(hosts, ["-l", logConfig, "list"]);
  assert.equal(listed.exitCode, 0, String(listed.stderr));
  assert.match(String(listed.stdout), /^\+----\+/);
  assert.equal(String(listed.stderr), "", "log lines go to the file, not stderr");
  assert.match(await readFile(logFile, "utf8"), /"msg":"ZooKeeper session established"/);

  await writeFile(logConfig, "level: loud\n");
  const refused = await nodepoolOn(hosts, ["list", "-l", logConfig]);
  assert.equal(refused.exitCode, 1);
  assert.match(String(refused.stderr), /^nodepool: .*logging\.yaml is not a logging config \(\{ level, file \}\): level: /);
  assert.equal(String(refused.stdout), "");
});
