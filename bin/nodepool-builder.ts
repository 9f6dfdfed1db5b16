import { Builtins, Cli, Command, Option } from "clipanion";
import { BuilderDaemon } from "../engine/builder/daemon.ts";
import { runDaemon } from "../engine/daemon/run.ts";
import { parseMetricsListen } from "../engine/metrics/server.ts";
import { UsageError } from "../engine/errors.ts";
import { daemonDetails, DaemonCommand } from "./commands/daemon-options.ts";

function workers(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} must be a whole number of at least 1, got ${text}`);
  return n;
}

/** `nodepool-builder`: builds, uploads and cleans up images until SIGINT (graceful) or SIGTERM. */
class BuilderCommand extends DaemonCommand {
  static override usage = Command.Usage({
    description: "Build disk images with diskimage-builder and upload them to the providers that use them",
    details: `${daemonDetails("nodepool-builder")}
  SIGINT waits for running image builds; SIGTERM ends the process at once (the next start cleans up).
`,
    examples: [
      ["Run as a daemon", "nodepool-builder -c /etc/nodepool/nodepool.yaml"],
      ["Run in the foreground at debug level", "nodepool-builder -c /etc/nodepool/nodepool.yaml -d"],
      ["Serve Prometheus metrics on port 9102", "nodepool-builder -c /etc/nodepool/nodepool.yaml --metrics-port 9102"],
    ],
  });

  buildWorkers = Option.String("--build-workers", "1", { description: "Builds run at once" });
  uploadWorkers = Option.String("--upload-workers", "4", { description: "Uploads run at once" });
  dibCmd = Option.String("--dib-cmd", { description: "Image command used when a diskimage has no dib-cmd (default disk-image-create)" });
  fake = Option.Boolean("--fake", false, { description: "Build with the bundled nodepool-image-create instead of disk-image-create" });
  metricsPort = Option.String("--metrics-port", { description: "Serve Prometheus metrics at /metrics on [HOST:]PORT (every address when HOST is left out)" });

  execute(): Promise<number> {
    // The bundled command sits beside this one's shim in bin/, whether run from dist/ or from source.
    const fakeDib = new URL("./nodepool-image-create", import.meta.url.replace("/dist/bin/", "/bin/")).pathname;
    // Read before the daemon moves to /, while relative paths still mean what the operator meant.
    const source = this.sourceOptions();
    return runDaemon({
      name: "nodepool-builder",
      ...this.runOptions(),
      stopSignals: ["SIGINT"],
      sigterm: "default",
      start: (log) =>
        BuilderDaemon.start({
          ...source,
          log,
          buildWorkers: workers(this.buildWorkers, "--build-workers"),
          uploadWorkers: workers(this.uploadWorkers, "--upload-workers"),
          ...(this.metricsPort === undefined ? {} : { metricsListen: parseMetricsListen(this.metricsPort) }),
          ...(this.fake ? { dibCommand: fakeDib } : this.dibCmd === undefined ? {} : { dibCommand: this.dibCmd }),
        }),
    });
  }
}

const cli = new Cli({ binaryLabel: "nodepool-builder", binaryName: "nodepool-builder", binaryVersion: "0.1.0" });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
cli.register(BuilderCommand);
await cli.runExit(process.argv.slice(2));
