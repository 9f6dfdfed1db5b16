/**
 * The daemons' logging (behaviour.md §8.1): pino JSON lines to stdout at INFO, DEBUG with `-d`;
 * a daemonised process logs to its default log file instead. `-l LOGCONFIG` names a YAML or JSON
 * file `{ level: debug, file: /var/log/nodepool/launcher.log }` (both optional; Python logging
 * configs are not read): `level` wins over `-d`, and `file` wins over the default. A log file is
 * appended to and reopened when it is moved away or deleted (logrotate without a postrotate
 * script, as Python's WatchedFileHandler allows) and on SIGHUP. Secrets are redacted by engine/log.ts.
 */
import { statSync, watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { pino } from "pino";
import { parse } from "yaml";
import { z } from "zod";
import { NodepoolError } from "../errors.ts";
import { createLogger, type Logger } from "../log.ts";

/** The `-l` file cannot be read or is not a logging config. */
export class LogConfigError extends NodepoolError {
  readonly code = "daemon.log-config";
  override readonly exitCode = 1;
}

/** The log file cannot be opened for appending. */
export class LogFileError extends NodepoolError {
  readonly code = "daemon.log-file";
}

const logConfigSchema = z.strictObject({
  level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  file: z.string().min(1).optional(),
});

export type LogConfig = z.output<typeof logConfigSchema>;

export async function readLogConfig(path: string): Promise<LogConfig> {
  let value: unknown;
  try {
    value = parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new LogConfigError(`cannot read the logging config ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = logConfigSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`).join("; ");
    throw new LogConfigError(`${path} is not a logging config ({ level, file }): ${problems}`);
  }
  return parsed.data;
}

export interface DaemonLog {
  readonly log: Logger;
  /** The file logged to, absolute; undefined for stdout. */
  readonly file: string | undefined;
  /** Stops reopening the log file. */
  close(): void;
}

export interface DaemonLoggerOptions {
  name: string;
  debug: boolean;
  logConfig?: string;
  /** The file to log to when `-l` names none (a daemonised process's); stdout otherwise. */
  defaultFile?: string;
}

/** The log file's identity, to tell a rotated-away file from ours; undefined when it is gone. */
function inode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

export async function daemonLogger(options: DaemonLoggerOptions): Promise<DaemonLog> {
  const config = options.logConfig === undefined ? {} : await readLogConfig(options.logConfig);
  const named = config.file ?? options.defaultFile;
  if (named === undefined) {
    const log = createLogger({ name: options.name, debug: options.debug, destination: pino.destination({ dest: 1, sync: true }) });
    if (config.level !== undefined) log.level = config.level;
    return { log, file: undefined, close: () => undefined };
  }
  // Absolute, so a reopen after the daemon has changed directory finds the same file.
  const file = resolve(named);
  let destination: ReturnType<typeof pino.destination>;
  try {
    destination = pino.destination({ dest: file, append: true, mkdir: true, sync: true });
  } catch (error) {
    throw new LogFileError(`cannot open the log file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const log = createLogger({ name: options.name, debug: options.debug, destination });
  if (config.level !== undefined) log.level = config.level;
  let ours = inode(file);
  const reopen = (): void => {
    try {
      destination.reopen();
      ours = inode(file);
    } catch (error) {
      log.error({ err: error, file }, "cannot reopen the log file; still writing to the old one");
    }
  };
  const unwatch = followRotation(file, () => {
    if (inode(file) !== ours) reopen();
  });
  process.on("SIGHUP", reopen);
  return {
    log,
    file,
    close: () => {
      unwatch();
      process.off("SIGHUP", reopen);
    },
  };
}

/**
 * Calls `check` whenever a file of this name appears in or leaves its directory (a rename or a
 * deletion; our own writes are mere changes and ignored), and again after the directory itself
 * went away. Returns the function that stops watching.
 */
function followRotation(file: string, check: () => void): () => void {
  const dir = dirname(file);
  const name = basename(file);
  let watcher: FSWatcher | undefined;
  let closed = false;
  const start = (): void => {
    try {
      watcher = watch(dir, (event, changed) => {
        if (event === "rename" && (changed === null || changed.toString() === name)) check();
      });
    } catch {
      // The directory could not be made again: SIGHUP remains the way to reopen.
      return;
    }
    watcher.on("error", () => {
      watcher?.close();
      if (closed) return;
      check();
      start();
    });
  };
  start();
  return () => {
    closed = true;
    watcher?.close();
  };
}
