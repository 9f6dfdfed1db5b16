/**
 * A daemon process from start to exit, the same for `nodepool-launcher` and `nodepool-builder`
 * (behaviour.md §8.1, §8.2): without `-f`/`-d` it daemonises (./daemonise.ts) and the daemon
 * holds the pid file (`-p`, or the default) and logs to its log file (`-l`, or the default);
 * in the foreground it logs to stdout and holds a pid file only when `-p` names one. Then:
 * signals, start, wait for a stop signal, graceful stop.
 */
import type { Writable } from "node:stream";
import { NodepoolError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { daemonChild, daemonise, DEFAULT_LOG_FILES, DEFAULT_PID_FILES, runMode, type DaemonName, type StartReporter } from "./daemonise.ts";
import { daemonLogger } from "./logging.ts";
import { acquirePidFile, type PidFile } from "./pid-file.ts";
import { installSignals, type SigtermPolicy } from "./signals.ts";

export interface RunningDaemon {
  stop(): Promise<void>;
}

export interface RunDaemonOptions {
  name: DaemonName;
  /** `-f` or `-d`: stay in the foreground. */
  foreground: boolean;
  debug: boolean;
  logConfig?: string;
  pidFile?: string;
  stopSignals: readonly NodeJS.Signals[];
  sigterm: SigtermPolicy;
  /** Where a start-up failure is told (the command's stderr). */
  stderr: Writable;
  start(log: Logger): Promise<RunningDaemon>;
}

/** Runs the daemon until a stop signal; returns the exit status. */
export async function runDaemon(options: RunDaemonOptions): Promise<number> {
  const mode = runMode(options.foreground);
  if (mode === "parent") return daemonise({ name: options.name, stderr: options.stderr });
  const reporter = mode === "daemon" ? daemonChild() : undefined;
  try {
    return await run(options, reporter);
  } catch (error) {
    const known = error instanceof NodepoolError;
    const message = `${options.name}: ${known ? error.message : `unexpected error: ${(error as Error).stack ?? String(error)}`}`;
    // Told after the cleanup, so the parent exits when the pid file is gone and nothing is left running.
    if (reporter !== undefined) await reporter.failed(message, known ? error.exitCode : 1);
    if (!known) throw error;
    if (reporter === undefined) options.stderr.write(`${message}\n`);
    return error.exitCode;
  }
}

async function run(options: RunDaemonOptions, reporter: StartReporter | undefined): Promise<number> {
  let pidFile: PidFile | undefined;
  let dispose = (): void => undefined;
  try {
    const { log, close } = await daemonLogger({
      name: options.name,
      debug: options.debug,
      ...(options.logConfig === undefined ? {} : { logConfig: options.logConfig }),
      ...(reporter === undefined ? {} : { defaultFile: DEFAULT_LOG_FILES[options.name] }),
    });
    dispose = close;
    const pidPath = options.pidFile ?? (reporter === undefined ? undefined : DEFAULT_PID_FILES[options.name]);
    if (pidPath !== undefined) {
      pidFile = await acquirePidFile(pidPath, { onWait: (holder) => log.info({ pidFile: pidPath, holder }, "pid file held by a live process; waiting for it to exit") });
    }
    if (reporter !== undefined) {
      // Nobody reads the daemon's stderr: a crash is told in its log.
      process.on("uncaughtExceptionMonitor", (error) => log.fatal({ err: error }, "uncaught exception"));
      // As a daemon should, hold no directory busy (paths from the command line are absolute by now).
      process.chdir("/");
    }
    const held = pidFile;
    // Installed before the start, so a signal during start-up still means a clean stop.
    const signals = installSignals({
      name: options.name,
      log,
      stopSignals: options.stopSignals,
      sigterm: options.sigterm,
      ...(held === undefined ? {} : { beforeExit: () => held.releaseSync() }),
    });
    dispose = () => {
      signals.dispose();
      close();
    };
    const daemon = await options.start(log);
    await reporter?.started();
    await signals.stopRequested;
    await daemon.stop();
    log.info("stopped");
    return 0;
  } finally {
    dispose();
    await pidFile?.release();
  }
}
