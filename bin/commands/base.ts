import { Command, Option } from "clipanion";
import { NodepoolError } from "../../engine/errors.ts";

/**
 * Options every `nodepool` subcommand takes, as the reference CLI does, and the mapping
 * from typed errors to exit status: 1 for invalid input (a bad config), 2 for "could not run".
 * Subcommands only parse and print; the work is done by engine functions.
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

  abstract run(): Promise<number>;

  async execute(): Promise<number> {
    try {
      return await this.run();
    } catch (error) {
      if (error instanceof NodepoolError) {
        this.context.stderr.write(`nodepool: ${error.message}\n`);
        if (this.debug && error.stack) this.context.stderr.write(`${error.stack}\n`);
        return error.exitCode;
      }
      throw error;
    }
  }
}
