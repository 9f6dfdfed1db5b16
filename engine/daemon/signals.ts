/**
 * The daemons' signals (behaviour.md §8.1–8.3):
 * - SIGINT (and, for the launcher, SIGUSR1 as in the reference): graceful stop.
 * - SIGTERM: the launcher exits 0 at once without cleanup (its ephemeral znodes and locks go
 *   when ZooKeeper expires the session; in-flight work is finished by the next start); the
 *   builder keeps Node's default termination.
 * - SIGUSR2: the CPU profile toggle and resource dump of ./sigusr2.ts.
 */
import type { Logger } from "../log.ts";
import { CpuProfiler } from "./sigusr2.ts";

export type SigtermPolicy = "exit-now" | "default";

export interface SignalOptions {
  name: string;
  log: Logger;
  stopSignals: readonly NodeJS.Signals[];
  sigterm: SigtermPolicy;
  /** Runs synchronously just before an immediate SIGTERM exit (removing the pid file). */
  beforeExit?: () => void;
}

export interface DaemonSignals {
  /** Resolves with the first stop signal received. */
  readonly stopRequested: Promise<NodeJS.Signals>;
  readonly profiler: CpuProfiler;
  /** Removes every handler this installed. */
  dispose(): void;
}

export function installSignals(options: SignalOptions): DaemonSignals {
  const { log } = options;
  const profiler = new CpuProfiler({ name: options.name, log });
  const handlers: [NodeJS.Signals, () => void][] = [];
  let stopping = false;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of options.stopSignals) {
      handlers.push([
        signal,
        () => {
          if (stopping) return log.info({ signal }, "already stopping");
          stopping = true;
          log.info({ signal }, "stopping gracefully");
          resolve(signal);
        },
      ]);
    }
  });
  if (options.sigterm === "exit-now") {
    handlers.push([
      "SIGTERM",
      () => {
        log.info({ signal: "SIGTERM" }, "exiting now without cleanup");
        options.beforeExit?.();
        process.exit(0);
      },
    ]);
  }
  handlers.push(["SIGUSR2", () => void profiler.toggle()]);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return {
    stopRequested,
    profiler,
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
      profiler.stop();
    },
  };
}
