import { Command, Option } from "clipanion";
import { NodepoolError } from "../../engine/errors.ts";
import { createLogger, type Logger } from "../../engine/log.ts";
import { readCliLogConfig, type CliLogSettings } from "./log-config.ts";

/**
 * Options every `nodepool` subcommand takes, as the reference CLI does (behaviour.md §5.1:
 * `-c`, `-s`, `--debug`, `-l`; `--zookeeper` is ours), and the exit status of a typed error:
 * 1, as the reference's uncaught error gives (§5.1). Subcommands only parse and print; the
 * work is done by engine functions.
 */
export abstract class NodepoolCommand extends Command {
  config = Option.String("-c,--config", "/etc/nodepool/nodepool.yaml", {
    description: "Path to the configuration file (.yaml or .config.ts)",
  });
  secure = Option.String("-s,--secure", { description: "Path to the secure configuration file" });
  zookeeper = Option.String("--zookeeper", {
    description: "ZooKeeper hosts (host:port[,host:port][/chroot]) overriding zookeeper-servers",
  });
  debug = Option.Boolean("--debug", false, { description: "Log at debug level" });
  logConfig = Option.String("-l", {
    description: "Logging config file, as the daemons take: YAML or JSON { level, file } (file: log there instead of stderr)",
  });

  /** What `-l` set; read before the command runs, so a bad file fails every command. */
  private logSettings: CliLogSettings = {};

  abstract run(): Promise<number>;

  /**
   * True for the config tools with their own documented statuses (config-validate and compile:
   * 1 invalid, 2 could not run), which end with the error's own `exitCode`; every other command
   * ends with 1.
   */
  protected readonly keepsErrorExitCodes: boolean = false;

  /**
   * A logger for the engine code a command calls: stderr, since stdout is the command's output;
   * warnings only (routine info lines would get in the way), debug with `--debug`; `-l` sets the
   * level and the file.
   */
  logger(): Logger {
    const { level, destination } = this.logSettings;
    const log = createLogger({ name: "nodepool", debug: this.debug, destination: destination ?? process.stderr });
    if (level !== undefined) log.level = level;
    else if (!this.debug && process.env.NODEPOOL_LOG_LEVEL === undefined) log.level = "warn";
    return log;
  }

  async execute(): Promise<number> {
    try {
      if (this.logConfig !== undefined) this.logSettings = await readCliLogConfig(this.logConfig);
      return await this.run();
    } catch (error) {
      if (error instanceof NodepoolError) {
        this.context.stderr.write(`nodepool: ${error.message}\n`);
        if (this.debug && error.stack) this.context.stderr.write(`${error.stack}\n`);
        return this.keepsErrorExitCodes ? error.exitCode : 1;
      }
      throw error;
    }
  }
}
