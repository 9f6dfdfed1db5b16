/**
 * The daemons' pid file (`-p PIDFILE`, behaviour.md §8.1): created exclusively, so two daemons
 * never share one; a stale file whose process no longer exists is broken first; while it names
 * a live process, acquiring waits for that process to go (a restart overlapping the old
 * daemon's graceful stop) and gives up after 10 s, refusing the start. Removed on a clean stop,
 * and only while it still names us.
 */
import { readFileSync, rmSync } from "node:fs";
import { link, readFile, rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { NodepoolError } from "../errors.ts";

/** How long acquiring waits for a live holder to exit, as the reference's TimeoutPIDLockFile. */
export const PID_FILE_TIMEOUT_MS = 10_000;
/** How often the holder is looked at meanwhile. */
const PID_FILE_POLL_MS = 100;

/** Another process holds the pid file. */
export class PidFileInUseError extends NodepoolError {
  readonly code = "daemon.pid-file-in-use";
}

/** The pid file cannot be written (missing directory, permissions). */
export class PidFileError extends NodepoolError {
  readonly code = "daemon.pid-file";
}

export interface PidFile {
  readonly path: string;
  /** Removes the file if it still holds this process's id. */
  release(): Promise<void>;
  /** The same, for the exit paths where nothing asynchronous may run. */
  releaseSync(): void;
}

/** A zombie has exited and only waits to be reaped, which an init of a container may never do. */
function zombie(pid: number): boolean {
  try {
    // The state follows the parenthesised command name, which may itself hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

/** Whether a process with this id is running (EPERM: it is, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !zombie(pid);
}

function parsePid(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export interface AcquireOptions {
  /** The id written to the file (this process's by default). */
  pid?: number;
  timeoutMs?: number;
  /** Told once, when the file names a live process and acquiring starts to wait. */
  onWait?: (holder: number) => void;
}

export async function acquirePidFile(path: string, options: AcquireOptions = {}): Promise<PidFile> {
  const pid = options.pid ?? process.pid;
  const timeoutMs = options.timeoutMs ?? PID_FILE_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let waiting = false;
  // Written aside and linked into place, so the pid file never exists empty: a daemon starting at
  // the same moment would take an empty one for stale and break it.
  const aside = `${path}.${pid}.tmp`;
  try {
    await writeFile(aside, `${pid}\n`);
  } catch (error) {
    throw new PidFileError(`cannot write the pid file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    for (;;) {
      try {
        await link(aside, path);
        return held(path, pid);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "EEXIST") throw new PidFileError(`cannot write the pid file ${path}: ${(error as Error).message}`, { cause: error });
      }
      const holder = parsePid(await readFile(path, "utf8").catch(() => ""));
      if (holder === undefined || holder === pid || !processAlive(holder)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new PidFileInUseError(
          `already running as process ${holder} (pid file ${path}; waited ${timeoutMs / 1000} s for it to exit); stop that process first, or remove the file if it is not a nodepool daemon`,
        );
      }
      if (!waiting) options.onWait?.(holder);
      waiting = true;
      await sleep(PID_FILE_POLL_MS);
    }
  } finally {
    await rm(aside, { force: true });
  }
}

function held(path: string, pid: number): PidFile {
  const ours = (text: string): boolean => parsePid(text) === pid;
  return {
    path,
    async release() {
      if (ours(await readFile(path, "utf8").catch(() => ""))) await rm(path, { force: true });
    },
    releaseSync() {
      let text = "";
      try {
        text = readFileSync(path, "utf8");
      } catch {
        return;
      }
      if (ours(text)) rmSync(path, { force: true });
    },
  };
}
