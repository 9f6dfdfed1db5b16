/**
 * A daemon command spawned from bin/ (built by scripts/test.sh's setup: `npm run build`) in the
 * foreground (`-f` added unless `-f` or `-d` is given), its JSON log lines collected from stdout
 * as they come, for tests to wait on. ./daemonise.test.ts covers the daemonised start.
 */
import type { TestContext } from "node:test";
import { createInterface } from "node:readline";
import { execa, type ResultPromise } from "execa";
import { waitFor } from "../../helpers/zk.ts";

export const ROOT = new URL("../../../", import.meta.url).pathname;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface Spawned {
  readonly child: ResultPromise<{ reject: false; env: NodeJS.ProcessEnv }>;
  readonly lines: LogLine[];
  /** Waits for a log line whose message contains `msg` (and that `where` accepts), after `from` lines. */
  waitForLog(msg: string, options?: { where?: (line: LogLine) => boolean; from?: number; timeoutMs?: number }): Promise<LogLine>;
}

export function spawnDaemon(t: TestContext, bin: "nodepool-launcher" | "nodepool-builder", args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const foreground = args.includes("-f") || args.includes("-d") ? args : [...args, "-f"];
  const child = execa(`${ROOT}bin/${bin}`, foreground, { reject: false, env: { NODEPOOL_LOG_LEVEL: "info", ...env } });
  t.after(() => child.kill("SIGKILL"));
  const lines: LogLine[] = [];
  createInterface({ input: child.stdout }).on("line", (text) => {
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      lines.push({ level: 30, msg: text });
    }
  });
  return {
    child,
    lines,
    waitForLog(msg, options = {}) {
      const accept = options.where ?? (() => true);
      return waitFor(`log "${msg}" from ${bin}`, () => lines.slice(options.from ?? 0).find((line) => line.msg.includes(msg) && accept(line)), options.timeoutMs ?? 20_000);
    },
  };
}
