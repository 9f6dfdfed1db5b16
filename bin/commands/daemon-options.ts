import type { Writable } from "node:stream";
import { Command, Option } from "clipanion";

/** What `nodepool-launcher --help` and `nodepool-builder --help` say about running in the foreground. */
export const FOREGROUND_DETAILS = `
  The daemon always stays in the foreground (\`-f\` and \`-d\` are accepted for compatibility): run it
  under systemd, a container runtime or your shell's \`&\`. Logs are JSON lines on stdout.

  Signals: SIGINT stops gracefully. SIGUSR2 logs (at debug) the active handles and resources; the
  first SIGUSR2 starts a CPU profile, the second writes it to \`$TMPDIR\` (default /tmp) as
  \`<daemon>-<pid>-<time>.cpuprofile\`, logs its path and stops profiling.
`;

/** The options both daemons take (behaviour.md §8.1, §8.2). */
export abstract class DaemonCommand extends Command {
  config = Option.String("-c,--config", "/etc/nodepool/nodepool.yaml", { description: "Config file (.yaml or .config.ts)" });
  secure = Option.String("-s,--secure", { description: "Secure config file" });
  logConfig = Option.String("-l,--logconfig", { description: "Logging config: a YAML or JSON file { level, file } (the file is reopened on SIGHUP)" });
  pidfile = Option.String("-p,--pidfile", { description: "Pid file to hold while running (refused when it names a live process)" });
  debug = Option.Boolean("-d,--debug", false, { description: "Log at debug level (in the foreground, as always)" });
  foreground = Option.Boolean("-f,--foreground", false, { description: "Stay in the foreground (always the case)" });
  zookeeper = Option.String("--zookeeper", { description: "ZooKeeper hosts (host:port[,host:port][/chroot]) overriding zookeeper-servers" });

  /** The options the engine's daemons share, without the unset ones. */
  protected sourceOptions(): { configPath: string; securePath?: string; zookeeper?: string } {
    return {
      configPath: this.config,
      ...(this.secure === undefined ? {} : { securePath: this.secure }),
      ...(this.zookeeper === undefined ? {} : { zookeeper: this.zookeeper }),
    };
  }

  /** The options of `runDaemon` that come from the command line. */
  protected runOptions(): { debug: boolean; logConfig?: string; pidFile?: string; stderr: Writable } {
    return {
      debug: this.debug,
      stderr: this.context.stderr,
      ...(this.logConfig === undefined ? {} : { logConfig: this.logConfig }),
      ...(this.pidfile === undefined ? {} : { pidFile: this.pidfile }),
    };
  }
}
