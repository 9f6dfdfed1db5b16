import { existsSync } from "node:fs";
import { NodepoolError } from "../../engine/errors.ts";
import type { Logger } from "../../engine/log.ts";
import { NodepoolZk, zkHostsFromConfig } from "../../engine/zk/index.ts";
import type { ConfigResult, NodepoolConfig } from "../../schema/index.ts";
import type { NodepoolCommand } from "./base.ts";

/**
 * How the ZooKeeper-using commands reach the tree: load the config (as the reference does),
 * connect to `--zookeeper` if given, else to the config's `zookeeper-servers`, run, and
 * disconnect. With `--zookeeper` a missing config file is fine: the command runs without one.
 * A missing chroot is not created (a mistyped `--zookeeper host:port/chroot` reads as an empty
 * tree) except by the commands that create records where none may exist yet.
 */

/** A CLI must not hang on a ZooKeeper that is down: it fails after this long. */
export const CLI_CONNECT_TIMEOUT_MS = 5_000;

export class NoZooKeeperError extends NodepoolError {
  readonly code = "cli.no-zookeeper";
  override readonly exitCode = 1;
}

export interface CliZk {
  readonly zk: NodepoolZk;
  /** Null when `--zookeeper` was given and there is no config file. */
  readonly config: NodepoolConfig | null;
  readonly log: Logger;
}

/** The command's config (`-c`, `-s`), or InvalidConfigError listing its errors. */
export async function readValidConfig(command: NodepoolCommand): Promise<Extract<ConfigResult, { ok: true }>> {
  // Loaded on demand: `list --zookeeper` without a config file never needs the YAML parser or the schema.
  const [{ readConfigSource }, { formatDiagnostic, InvalidConfigError }] = await Promise.all([
    import("../../engine/config-source.ts"),
    import("../../schema/index.ts"),
  ]);
  const result = await readConfigSource(command.config, command.secure === undefined ? {} : { securePath: command.secure });
  if (result.ok) return result;
  const problems = result.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
  throw new InvalidConfigError(`${command.config} is not a valid configuration (run nodepool config-validate):\n${problems.join("\n")}`);
}

export async function loadCliConfig(command: NodepoolCommand): Promise<NodepoolConfig | null> {
  if (command.zookeeper !== undefined && !existsSync(command.config)) return null;
  return (await readValidConfig(command)).config;
}

export function zkHostsFor(command: NodepoolCommand, config: NodepoolConfig | null): string {
  if (command.zookeeper !== undefined) return command.zookeeper;
  const servers = config?.["zookeeper-servers"] ?? [];
  if (servers.length === 0) throw new NoZooKeeperError(`${command.config} names no zookeeper-servers: add them, or pass --zookeeper HOST:PORT`);
  return zkHostsFromConfig(servers);
}

export interface CliConnectOptions {
  /** Create the chroot when it is missing: only for commands that create records (image-build, apply). */
  readonly createChroot?: boolean;
  /** Sessions in all to spread bulk reads over (`list`: 10,000 records and locks). */
  readonly readerSessions?: number;
}

/** Connects the CLI's client: bounded wait, the command's logger, the chroot left alone unless asked. */
export function connectCli(hosts: string, log: Logger, options: CliConnectOptions): Promise<NodepoolZk> {
  return NodepoolZk.connect({ hosts, connectTimeoutMs: CLI_CONNECT_TIMEOUT_MS, logger: log, createChroot: options.createChroot ?? false }, options.readerSessions ?? 1);
}

export async function withZooKeeper<T>(command: NodepoolCommand, work: (session: CliZk) => Promise<T>, options: CliConnectOptions = {}): Promise<T> {
  const log = command.logger();
  const config = await loadCliConfig(command);
  const zk = await connectCli(zkHostsFor(command, config), log, options);
  try {
    return await work({ zk, config, log });
  } finally {
    zk.close();
  }
}
