import { resolve } from "node:path";
import type { Writable } from "node:stream";
import { Command, Option } from "clipanion";
import { DEFAULT_LOG_FILES, DEFAULT_PID_FILES, type DaemonName } from "../../engine/daemon/daemonise.ts";

/** What `nodepool-launcher --help` and `nodepool-builder --help` say about daemonising, the foreground and signals. */
export function daemonDetails(name: DaemonName): string {
  return `
  Without \`-f\` or \`-d\` the command daemonises: it returns once the daemon has started and holds its
  pid file (\`-p\`, default ${DEFAULT_PID_FILES[name]}), or prints why the start failed and
  exits non-zero; after 30 s a daemon still starting (waiting for ZooKeeper) is left to go on. The daemon logs JSON lines to the file of \`-l\`, default ${DEFAULT_LOG_FILES[name]},
  reopened when logrotate moves it away and on SIGHUP. With \`-f\` or \`-d\` it stays in the foreground
  (systemd \`Type=simple\`, containers) and logs to stdout or the file of \`-l\`; it holds a pid file
  only when \`-p\` names one. A pid file naming a live process is waited on for 10 s, then the start
  is refused; a stale one is replaced.

  Signals: SIGINT stops gracefully. SIGUSR2 logs (at debug) the active handles and resources; the
  first SIGUSR2 starts a CPU profile, the second writes it to \`$TMPDIR\` (default /tmp) as
  \`<daemon>-<pid>-<time>.cpuprofile\`, logs its path and stops profiling.
`;
}

/** The options both daemons take (behaviour.md §8.1, §8.2). */
export abstract class DaemonCommand extends Command {
  config = Option.String("-c,--config", "/etc/nodepool/nodepool.yaml", { description: "Config file (.yaml or .config.ts)" });
  secure = Option.String("-s,--secure", { description: "Secure config file" });
  logConfig = Option.String("-l,--logconfig", { description: "Logging config: a YAML or JSON file { level, file } (the file is reopened on rotation)" });
  pidfile = Option.String("-p,--pidfile", { description: "Pid file to hold while running (daemonised: default below; foreground: none unless given)" });
  debug = Option.Boolean("-d,--debug", false, { description: "Stay in the foreground and log at debug level" });
  foreground = Option.Boolean("-f,--foreground", false, { description: "Stay in the foreground instead of daemonising" });
  zookeeper = Option.String("--zookeeper", { description: "ZooKeeper hosts (host:port[,host:port][/chroot]) overriding zookeeper-servers" });

  /** The options the engine's daemons share, without the unset ones; paths absolute, as a daemon runs in /. */
  protected sourceOptions(): { configPath: string; securePath?: string; zookeeper?: string } {
    return {
      configPath: resolve(this.config),
      ...(this.secure === undefined ? {} : { securePath: resolve(this.secure) }),
      ...(this.zookeeper === undefined ? {} : { zookeeper: this.zookeeper }),
    };
  }

  /** The options of `runDaemon` that come from the command line. */
  protected runOptions(): { foreground: boolean; debug: boolean; logConfig?: string; pidFile?: string; stderr: Writable } {
    return {
      foreground: this.foreground || this.debug,
      debug: this.debug,
      stderr: this.context.stderr,
      ...(this.logConfig === undefined ? {} : { logConfig: resolve(this.logConfig) }),
      ...(this.pidfile === undefined ? {} : { pidFile: resolve(this.pidfile) }),
    };
  }
}
