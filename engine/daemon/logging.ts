/**
 * The daemons' logging (behaviour.md §8.1): pino JSON lines to stdout at INFO, DEBUG with `-d`.
 * `-l LOGCONFIG` names a YAML or JSON file `{ level: debug, file: /var/log/nodepool/launcher.log }`
 * (both optional; Python logging configs are not read): `level` wins over `-d`, and `file`
 * is appended to and reopened on SIGHUP, for logrotate. Secrets are redacted by engine/log.ts.
 */
import { readFile } from "node:fs/promises";
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
  /** Stops reopening the log file on SIGHUP. */
  close(): void;
}

export async function daemonLogger(options: { name: string; debug: boolean; logConfig?: string }): Promise<DaemonLog> {
  const config = options.logConfig === undefined ? {} : await readLogConfig(options.logConfig);
  const destination = pino.destination(config.file === undefined ? { dest: 1, sync: true } : { dest: config.file, append: true, mkdir: true, sync: true });
  const log = createLogger({ name: options.name, debug: options.debug, destination });
  if (config.level !== undefined) log.level = config.level;
  if (config.file === undefined) return { log, close: () => undefined };
  const reopen = (): void => destination.reopen();
  process.on("SIGHUP", reopen);
  return { log, close: () => process.off("SIGHUP", reopen) };
}
