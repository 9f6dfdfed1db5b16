/**
 * `nodepool -l LOGCONFIG` (behaviour.md §5.1): the daemons' logging config file
 * (engine/daemon/logging.ts), read the same way; `file` sends the command's log lines there
 * instead of stderr.
 */
import { resolve } from "node:path";
import { pino, type DestinationStream, type Level } from "pino";

export interface CliLogSettings {
  readonly level?: Level | "silent";
  readonly destination?: DestinationStream;
}

export async function readCliLogConfig(path: string): Promise<CliLogSettings> {
  // On demand: the YAML parser and the schema stay out of the start-up of commands without -l.
  const { readLogConfig, LogFileError } = await import("../../engine/daemon/logging.ts");
  const { level, file } = await readLogConfig(path);
  const settings = level === undefined ? {} : { level };
  if (file === undefined) return settings;
  const dest = resolve(file);
  try {
    return { ...settings, destination: pino.destination({ dest, append: true, mkdir: true, sync: true }) };
  } catch (error) {
    throw new LogFileError(`cannot open the log file ${dest} named by ${path}: ${(error as Error).message}`, { cause: error });
  }
}
