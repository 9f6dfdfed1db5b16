/**
 * SIGUSR2, the daemons' debugging aid (behaviour.md §8.3; the guide's yappi, the Node.js way).
 * Every signal logs, at debug level, what keeps the process busy: its active handles and
 * resources by type, and memory use (the "stack dump" of a single-threaded runtime). The first
 * signal starts a CPU profile with node:inspector; the next writes it as a `.cpuprofile` file
 * (open it in Chrome DevTools or VS Code) to the temporary directory, `$TMPDIR` or /tmp, named
 * `<daemon>-<pid>-<time>.cpuprofile`, logs its path and stops profiling. Signals arriving while
 * one is handled are ignored. The engine's behaviour does not change.
 */
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../log.ts";

export function cpuProfilePath(name: string, at: Date = new Date(), dir: string = tmpdir()): string {
  return join(dir, `${name}-${process.pid}-${at.toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
}

/** Active handles and resources by type, e.g. `{ TCPSocketWrap: 3, Timeout: 5 }`. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

export class CpuProfiler {
  private session: Session | undefined;
  private busy = false;

  constructor(private readonly options: { name: string; log: Logger }) {}

  get profiling(): boolean {
    return this.session !== undefined;
  }

  /** One SIGUSR2: start profiling, or write the profile and stop. Returns the file written, if any. */
  async toggle(): Promise<string | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    const { log } = this.options;
    try {
      log.debug({ resources: activeResources(), memory: process.memoryUsage() }, "SIGUSR2: active handles and resources");
      if (this.session === undefined) {
        const session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
        this.session = session;
        log.info("SIGUSR2: CPU profiling started; send SIGUSR2 again to write the profile");
        return undefined;
      }
      const session = this.session;
      this.session = undefined;
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      const path = cpuProfilePath(this.options.name);
      await writeFile(path, JSON.stringify(profile));
      log.info({ path }, "SIGUSR2: CPU profile written; profiling stopped");
      return path;
    } catch (error) {
      log.error({ err: error }, "SIGUSR2: profiling failed");
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Ends a profile still running at shutdown, without writing it. */
  stop(): void {
    this.session?.disconnect();
    this.session = undefined;
  }
}
