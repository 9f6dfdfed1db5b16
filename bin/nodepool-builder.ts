import { rm, writeFile } from "node:fs/promises";
import { Builtins, Cli, Command, Option } from "clipanion";
import { BuilderDaemon } from "../engine/builder/daemon.ts";
import { NodepoolError, UsageError } from "../engine/errors.ts";
import { createLogger } from "../engine/log.ts";

/** `nodepool-builder`: builds, uploads and cleans up images in the foreground until SIGINT (graceful) or SIGTERM. */
class BuilderCommand extends Command {
  static override usage = Command.Usage({
    description: "Build disk images with diskimage-builder and upload them to the providers that use them",
    examples: [["Run with a config", "nodepool-builder -c /etc/nodepool/nodepool.yaml -d"]],
  });

  config = Option.String("-c,--config", "/etc/nodepool/nodepool.yaml", { description: "Config file (.yaml or .config.ts)" });
  secure = Option.String("-s,--secure", { description: "Secure config file" });
  debug = Option.Boolean("-d,--debug", false, { description: "Log at debug level (always in the foreground)" });
  foreground = Option.Boolean("-f,--foreground", false, { description: "Stay in the foreground (always the case)" });
  pidfile = Option.String("-p,--pidfile", { description: "Write the process id to this file" });
  zookeeper = Option.String("--zookeeper", { description: "ZooKeeper hosts overriding zookeeper-servers" });
  buildWorkers = Option.String("--build-workers", "1", { description: "Builds run at once" });
  uploadWorkers = Option.String("--upload-workers", "4", { description: "Uploads run at once" });
  dibCmd = Option.String("--dib-cmd", { description: "Image command used when a diskimage has no dib-cmd (default disk-image-create)" });
  fake = Option.Boolean("--fake", false, { description: "Build with the bundled nodepool-image-create instead of disk-image-create" });

  async execute(): Promise<number> {
    const log = createLogger({ name: "nodepool-builder", debug: this.debug });
    const workers = (text: string, option: string): number => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} must be a whole number of at least 1, got ${text}`);
      return n;
    };
    // The bundled command sits beside this one's shim in bin/, whether run from dist/ or from source.
    const fakeDib = new URL("./nodepool-image-create", import.meta.url.replace("/dist/bin/", "/bin/")).pathname;
    let daemon: BuilderDaemon;
    try {
      daemon = await BuilderDaemon.start({
        configPath: this.config,
        log,
        buildWorkers: workers(this.buildWorkers, "--build-workers"),
        uploadWorkers: workers(this.uploadWorkers, "--upload-workers"),
        ...(this.secure === undefined ? {} : { securePath: this.secure }),
        ...(this.zookeeper === undefined ? {} : { zookeeper: this.zookeeper }),
        ...(this.fake ? { dibCommand: fakeDib } : this.dibCmd === undefined ? {} : { dibCommand: this.dibCmd }),
      });
    } catch (error) {
      if (error instanceof NodepoolError) {
        this.context.stderr.write(`nodepool-builder: ${error.message}\n`);
        return error.exitCode;
      }
      throw error;
    }
    if (this.pidfile !== undefined) await writeFile(this.pidfile, `${process.pid}\n`);
    // SIGINT stops gracefully (a running image build is waited for); SIGTERM keeps its default, immediate end (behaviour.md §8.2).
    await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    log.info({ signal: "SIGINT" }, "stopping");
    await daemon.stop();
    if (this.pidfile !== undefined) await rm(this.pidfile, { force: true });
    return 0;
  }
}

const cli = new Cli({ binaryLabel: "nodepool-builder", binaryName: "nodepool-builder", binaryVersion: "0.1.0" });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
cli.register(BuilderCommand);
await cli.runExit(process.argv.slice(2));
