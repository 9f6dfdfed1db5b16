import { writeFile, rm } from "node:fs/promises";
import { Builtins, Cli, Command, Option } from "clipanion";
import { NodepoolError } from "../engine/errors.ts";
import { LauncherDaemon } from "../engine/launcher/index.ts";
import { createLogger } from "../engine/log.ts";

/** `nodepool-launcher`: runs the launcher in the foreground until SIGINT or SIGTERM. */
class LauncherCommand extends Command {
  static override usage = Command.Usage({
    description: "Launch and delete nodes to satisfy node requests in ZooKeeper",
    examples: [["Run with a config", "nodepool-launcher -c /etc/nodepool/nodepool.yaml -d"]],
  });

  config = Option.String("-c,--config", "/etc/nodepool/nodepool.yaml", { description: "Config file (.yaml or .config.ts)" });
  secure = Option.String("-s,--secure", { description: "Secure config file" });
  debug = Option.Boolean("-d,--debug", false, { description: "Log at debug level (always in the foreground)" });
  foreground = Option.Boolean("-f,--foreground", false, { description: "Stay in the foreground (always the case)" });
  pidfile = Option.String("-p,--pidfile", { description: "Write the process id to this file" });
  zookeeper = Option.String("--zookeeper", { description: "ZooKeeper hosts overriding zookeeper-servers" });

  async execute(): Promise<number> {
    const log = createLogger({ name: "nodepool-launcher", debug: this.debug });
    // Installed first, so a signal during startup still means a clean stop.
    const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    let daemon: LauncherDaemon;
    try {
      daemon = await LauncherDaemon.start({
        configPath: this.config,
        log,
        ...(this.secure === undefined ? {} : { securePath: this.secure }),
        ...(this.zookeeper === undefined ? {} : { zookeeper: this.zookeeper }),
      });
    } catch (error) {
      if (error instanceof NodepoolError) {
        this.context.stderr.write(`nodepool-launcher: ${error.message}\n`);
        return error.exitCode;
      }
      throw error;
    }
    if (this.pidfile !== undefined) await writeFile(this.pidfile, `${process.pid}\n`);
    const signal = await stopSignal;
    log.info({ signal }, "stopping");
    await daemon.stop();
    if (this.pidfile !== undefined) await rm(this.pidfile, { force: true });
    return 0;
  }
}

const cli = new Cli({ binaryLabel: "nodepool-launcher", binaryName: "nodepool-launcher", binaryVersion: "0.1.0" });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
cli.register(LauncherCommand);
await cli.runExit(process.argv.slice(2));
