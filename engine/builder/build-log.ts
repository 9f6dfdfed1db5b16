/**
 * Build logs (behaviour.md §4.3 step 5, spec/config.md §2.5-2.6): one file per build,
 * `<build-log-dir>/<image>-<build-id>.log`, holding the image command's output and a final
 * `Exit code: <rc>` line; before each build the image's older logs beyond
 * `build-log-retention` are deleted (only that image's: `<image>-<10 digits>.log`).
 * Secret env-var values are masked before anything is written.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { formatPath, isSecretEnvVar, MASK, type DiskImageConfig, type NodepoolConfig } from "../../schema/index.ts";

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const buildLogName = (image: string, build: string): string => `${image}-${build}.log`;

/** The logs to delete before a new build: all of this image's but the newest `max(retention, 1)`, by name. */
export function logsToPrune(files: readonly string[], image: string, retention: number): string[] {
  const own = new RegExp(`^${escape(image)}-\\d{10}\\.log$`);
  const logs = files.filter((f) => own.test(f)).sort();
  return logs.slice(0, Math.max(0, logs.length - Math.max(retention, 1)));
}

export async function pruneBuildLogs(dir: string, image: string, retention: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of logsToPrune(await readdir(dir), image, retention)) await rm(join(dir, file), { force: true });
}

/** The values of an image's secret env-vars: named like a credential, or from the secure file. */
export function secretValues(image: DiskImageConfig, config: NodepoolConfig, secretPaths: readonly string[]): string[] {
  const index = config.diskimages.indexOf(image);
  const fromSecure = new Set(secretPaths);
  return Object.entries(image["env-vars"])
    .filter(([key]) => isSecretEnvVar(key) || fromSecure.has(formatPath(["diskimages", index, "env-vars", key])))
    .map(([, value]) => value)
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length);
}

export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}

/** A build's log file. Output is masked line by line, so a secret split across chunks is still caught. */
export class BuildLog {
  private pending = "";
  private readonly stream: WriteStream;

  constructor(
    readonly path: string,
    private readonly secrets: readonly string[],
  ) {
    this.stream = createWriteStream(path, { flags: "w" });
  }

  static async open(dir: string, image: string, build: string, secrets: readonly string[]): Promise<BuildLog> {
    await mkdir(dir, { recursive: true });
    return new BuildLog(join(dir, buildLogName(image, build)), secrets);
  }

  write(chunk: string): void {
    const text = this.pending + chunk;
    const end = text.lastIndexOf("\n");
    if (end < 0) {
      this.pending = text;
      return;
    }
    this.pending = text.slice(end + 1);
    this.stream.write(maskText(text.slice(0, end + 1), this.secrets));
  }

  /** Flushes and closes; `exitCode` null (a timeout, or a command that never ran) writes no exit line. */
  async close(exitCode: number | null): Promise<void> {
    if (this.pending !== "") this.stream.write(maskText(`${this.pending}\n`, this.secrets));
    this.pending = "";
    if (exitCode !== null) this.stream.write(`Exit code: ${exitCode}\n`);
    await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
