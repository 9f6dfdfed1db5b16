/**
 * The daemons' pid file (`-p PIDFILE`, behaviour.md §8.1): created exclusively, so two daemons
 * never share one; a stale file whose process no longer exists is broken first; a file naming
 * a live process refuses the start. Removed on a clean stop, and only while it still names us.
 */
import { readFileSync, rmSync } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { NodepoolError } from "../errors.ts";

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

/** Whether a process with this id exists (EPERM: it exists, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parsePid(text: string): number | undefined {
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export async function acquirePidFile(path: string, pid: number = process.pid): Promise<PidFile> {
  // Two rounds: the second follows breaking a stale file, and loses only to a daemon that started meanwhile.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${pid}\n`);
      await handle.close();
      return held(path, pid);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw new PidFileError(`cannot write the pid file ${path}: ${(error as Error).message}`, { cause: error });
    }
    const holder = parsePid(await readFile(path, "utf8").catch(() => ""));
    if (holder !== undefined && holder !== pid && processAlive(holder)) {
      throw new PidFileInUseError(`already running as process ${holder} (pid file ${path}); stop that process first, or remove the file if it is not a nodepool daemon`);
    }
    await rm(path, { force: true });
  }
  throw new PidFileInUseError(`another process took the pid file ${path} while a stale one was being removed; is a second daemon starting?`);
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
