import { Builtins, Cli, Command, Option } from "clipanion";
import { runDaemon } from "../engine/daemon/run.ts";
import { LauncherDaemon } from "../engine/launcher/index.ts";
import { daemonDetails, DaemonCommand } from "./commands/daemon-options.ts";

/** `nodepool-launcher`: runs the launcher until SIGINT (graceful) or SIGTERM (immediate). */
class LauncherCommand extends DaemonCommand {
  static override usage = Command.Usage({
    description: "Launch and delete nodes to satisfy node requests in ZooKeeper",
    details: `${daemonDetails("nodepool-launcher")}
  SIGTERM exits at once without cleanup (locks and ephemeral znodes go with the ZooKeeper session);
  SIGUSR1 stops gracefully, like SIGINT. The web API starts unless \`--no-webapp\`, on
  \`webapp.port\` of the config as first read.
`,
    examples: [
      ["Run as a daemon", "nodepool-launcher -c /etc/nodepool/nodepool.yaml"],
      ["Run in the foreground at debug level", "nodepool-launcher -c /etc/nodepool/nodepool.yaml -d"],
    ],
  });

  webapp = Option.Boolean("--webapp", true, { description: "Serve the web API (--no-webapp: do not)" });

  execute(): Promise<number> {
    // Read before the daemon moves to /, while relative paths still mean what the operator meant.
    const source = this.sourceOptions();
    return runDaemon({
      name: "nodepool-launcher",
      ...this.runOptions(),
      stopSignals: ["SIGINT", "SIGUSR1"],
      sigterm: "exit-now",
      start: (log) => LauncherDaemon.start({ ...source, log, webapp: this.webapp }),
    });
  }
}

const cli = new Cli({ binaryLabel: "nodepool-launcher", binaryName: "nodepool-launcher", binaryVersion: "0.1.0" });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
cli.register(LauncherCommand);
await cli.runExit(process.argv.slice(2));
