/**
 * Daemonising (behaviour.md §8.1, §8.2: without `-d`/`-f`), the Node.js way, as there is no
 * fork(): the command runs itself again as a detached child (a new session, no terminal, stdio
 * on /dev/null) marked by an environment variable, and waits. The child holds the pid file,
 * logs to its log file and starts, then reports over an IPC channel and lets it go; the parent
 * exits 0 once the daemon is up and the pid file names it (what systemd's `Type=forking` and
 * `start-stop-daemon` expect), or with the child's status and error message when the start
 * failed, so the operator reads why at the terminal rather than in a log file. A daemon still
 * starting after 30 s (waiting for ZooKeeper) is left to go on, and the parent exits 0 saying so.
 */
import { spawn } from "node:child_process";
import type { Writable } from "node:stream";
import { z } from "zod";

/** Set in the daemonised child's environment (and removed at once, so its own children lack it). */
export const DAEMON_CHILD_ENV = "NODEPOOL_DAEMON_CHILD";

export type DaemonName = "nodepool-launcher" | "nodepool-builder";

/** Where a daemonised process writes its pid when `-p` is not given. */
export const DEFAULT_PID_FILES: Record<DaemonName, string> = {
  "nodepool-launcher": "/var/run/nodepool/nodepool.pid",
  "nodepool-builder": "/var/run/nodepool/nodepool-builder.pid",
};

/** Where a daemonised process logs when `-l` names no file. */
export const DEFAULT_LOG_FILES: Record<DaemonName, string> = {
  "nodepool-launcher": "/var/log/nodepool/nodepool.log",
  "nodepool-builder": "/var/log/nodepool/nodepool-builder.log",
};

const startReport = z.discriminatedUnion("started", [
  z.object({ started: z.literal(true) }),
  z.object({ started: z.literal(false), message: z.string(), exitCode: z.number().int() }),
]);

type StartReport = z.output<typeof startReport>;

/** How this process runs: in the foreground, as the parent that daemonises, or as the daemon. */
export type RunMode = "foreground" | "parent" | "daemon";

export function runMode(foreground: boolean, env: NodeJS.ProcessEnv = process.env): RunMode {
  if (foreground) return "foreground";
  return env[DAEMON_CHILD_ENV] === undefined ? "parent" : "daemon";
}

/** The daemonised child's side: tells the waiting parent how the start went. */
export interface StartReporter {
  started(): Promise<void>;
  failed(message: string, exitCode: number): Promise<void>;
}

/** In the daemonised child: forgets the marker and returns how to report to the parent. */
export function daemonChild(): StartReporter {
  delete process.env[DAEMON_CHILD_ENV];
  const report = (message: StartReport): Promise<void> =>
    new Promise((resolve) => {
      const send = process.send?.bind(process);
      // Started by hand with the marker set: nobody waits for a report.
      if (send === undefined || !process.connected) return resolve();
      // An error here means the parent is gone (interrupted while waiting): the daemon runs on.
      send(message, undefined, undefined, () => {
        if (process.connected) process.disconnect();
        resolve();
      });
    });
  return {
    started: () => report({ started: true }),
    failed: (message, exitCode) => report({ started: false, message, exitCode }),
  };
}

/**
 * How long the command waits for the daemon's report. Long enough for the pid file's 10 s wait and
 * a config check; a daemon still waiting after it is up (it holds the pid file) and most likely
 * waits for ZooKeeper, as at boot before ZooKeeper has started: the command returns rather than
 * holding an init script or a systemd start (whose default timeout is 90 s) until then.
 */
export const START_WAIT_MS = 30_000;

type Outcome =
  | { report: StartReport }
  | { exited: number | null; signal: NodeJS.Signals | null }
  | { error: Error }
  | { waited: true };

export interface DaemoniseOptions {
  name: DaemonName;
  stderr: Writable;
  /** What runs as the daemon, after node: this command again by default. */
  args?: readonly string[];
  startWaitMs?: number;
}

/**
 * The parent's side: runs this command again as the daemon and waits for its start-up. Returns
 * the exit status for the parent: 0 when the daemon started (or is still starting after
 * `startWaitMs`, which is told on `stderr`), the child's status otherwise (its message written to
 * `stderr`).
 */
export async function daemonise(options: DaemoniseOptions): Promise<number> {
  const child = spawn(process.execPath, options.args ?? [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: ["ignore", "ignore", "ignore", "ipc"],
    env: { ...process.env, [DAEMON_CHILD_ENV]: "1" },
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    child.once("message", (message) => {
      const parsed = startReport.safeParse(message);
      if (parsed.success) resolve({ report: parsed.data });
    });
    // "close", not "exit": it comes after the IPC channel has closed, so never before the report.
    child.once("close", (exited, signal) => resolve({ exited, signal }));
    child.once("error", (error) => resolve({ error }));
    timer = setTimeout(() => resolve({ waited: true }), options.startWaitMs ?? START_WAIT_MS);
  });
  clearTimeout(timer);
  if (child.connected) child.disconnect();
  child.unref();
  if ("report" in outcome) {
    if (outcome.report.started) return 0;
    options.stderr.write(`${outcome.report.message}\n`);
    return outcome.report.exitCode;
  }
  if ("waited" in outcome) {
    const seconds = (options.startWaitMs ?? START_WAIT_MS) / 1000;
    options.stderr.write(`${options.name}: the daemon (process ${child.pid}) is still starting after ${seconds} s, most likely waiting for ZooKeeper; it goes on in the background and its log says how it fares\n`);
    return 0;
  }
  if ("error" in outcome) {
    options.stderr.write(`${options.name}: cannot start the daemon process: ${outcome.error.message}\n`);
    return 2;
  }
  const how = outcome.signal === null ? `with status ${outcome.exited}` : `on ${outcome.signal}`;
  options.stderr.write(`${options.name}: the daemon process ended ${how} before it started; run it with -f to see why\n`);
  return outcome.exited === null || outcome.exited === 0 ? 2 : outcome.exited;
}
