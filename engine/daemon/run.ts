/**
 * A daemon process from start to exit, the same for `nodepool-launcher` and `nodepool-builder`:
 * logging, the pid file, signals, start, wait for a stop signal, graceful stop. Always in the
 * foreground: there is no daemonising (run it under systemd, a container or `&`).
 */
import type { Writable } from "node:stream";
import { NodepoolError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { daemonLogger } from "./logging.ts";
import { acquirePidFile, type PidFile } from "./pid-file.ts";
import { installSignals, type SigtermPolicy } from "./signals.ts";

export interface RunningDaemon {
  stop(): Promise<void>;
}

export interface RunDaemonOptions {
  name: "nodepool-launcher" | "nodepool-builder";
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
  let pidFile: PidFile | undefined;
  let dispose = (): void => undefined;
  try {
    const { log, close } = await daemonLogger({ name: options.name, debug: options.debug, ...(options.logConfig === undefined ? {} : { logConfig: options.logConfig }) });
    if (options.pidFile !== undefined) pidFile = await acquirePidFile(options.pidFile);
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
    await signals.stopRequested;
    await daemon.stop();
    log.info("stopped");
    return 0;
  } catch (error) {
    if (!(error instanceof NodepoolError)) throw error;
    options.stderr.write(`${options.name}: ${error.message}\n`);
    return error.exitCode;
  } finally {
    dispose();
    await pidFile?.release();
  }
}
