/**
 * A daemon's configuration over its lifetime (behaviour.md §8.4): read at start (a config that
 * does not validate refuses the start), re-read whenever one of its files changes, applied when
 * it differs, and refused — every error logged, the last good config kept — when it no longer
 * validates. Reloads never overlap; changes arriving during one cause one more after it.
 */
import { readConfigSourceFiles } from "../config-source.ts";
import type { Logger } from "../log.ts";
import { formatDiagnostic, InvalidConfigError, type ConfigResult } from "../../schema/index.ts";
import { ConfigWatcher } from "./config-watch.ts";

export { InvalidConfigError };

export type LoadedConfig = Extract<ConfigResult, { ok: true }>;

export interface ConfigSource {
  configPath: string;
  securePath?: string;
}

/** Applies a changed config to the running daemon. */
export type ApplyConfig = (loaded: LoadedConfig) => Promise<void>;

interface Read {
  loaded: LoadedConfig | undefined;
  files: string[];
  /** The errors, formatted, when it does not validate. */
  errors: string[];
}

async function read(source: ConfigSource, log: Logger): Promise<Read> {
  const { result, files } = await readConfigSourceFiles(source.configPath, source.securePath === undefined ? {} : { securePath: source.securePath });
  for (const diagnostic of result.diagnostics) {
    log[diagnostic.severity === "error" ? "error" : "warn"]({ config: source.configPath }, formatDiagnostic(diagnostic));
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
  return { loaded: result.ok ? result : undefined, files, errors };
}

/** What decides whether a re-read config is a change (secure values included, never logged). */
const fingerprint = (loaded: LoadedConfig): string => JSON.stringify([loaded.config, loaded.secretPaths]);

export class DaemonConfig {
  private readonly watcher: ConfigWatcher;
  private files: string[];
  private apply: ApplyConfig | undefined;
  private reloading: Promise<boolean> | undefined;
  private again = false;

  private constructor(
    readonly source: ConfigSource,
    private readonly log: Logger,
    private good: LoadedConfig,
    files: string[],
  ) {
    this.files = files;
    this.watcher = new ConfigWatcher(() => void this.reload());
  }

  /**
   * The first read; throws InvalidConfigError when it does not validate, its errors logged and in
   * its message, which a daemonising command prints at the terminal (the log is a file by then).
   */
  static async load(source: ConfigSource, log: Logger): Promise<DaemonConfig> {
    const { loaded, files, errors } = await read(source, log);
    if (loaded === undefined) throw new InvalidConfigError(`${source.configPath} is not a valid configuration:\n${errors.join("\n")}`);
    return new DaemonConfig(source, log, loaded, files);
  }

  /** The last config that validated. */
  get current(): LoadedConfig {
    return this.good;
  }

  /** Re-reads on every change of the config's files from now on, handing changed configs to `apply`. */
  watch(apply: ApplyConfig): void {
    this.apply = apply;
    this.watcher.setFiles(this.files);
  }

  /** Re-reads now; false when the config was refused and the last good one kept. */
  async reload(): Promise<boolean> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.reloadOnce();
    try {
      return await this.reloading;
    } finally {
      this.reloading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    }
  }

  close(): void {
    this.apply = undefined;
    this.watcher.close();
  }

  private async reloadOnce(): Promise<boolean> {
    let outcome: Read;
    try {
      outcome = await read(this.source, this.log);
    } catch (error) {
      this.log.error({ err: error, config: this.source.configPath }, "config change refused; keeping the last good config");
      return false;
    }
    // A file that fails to compile names fewer imports: keep watching the old ones, so fixing them is noticed.
    this.files = outcome.loaded === undefined ? [...new Set([...this.files, ...outcome.files])] : outcome.files;
    this.watcher.setFiles(this.files);
    if (outcome.loaded === undefined) {
      this.log.error({ config: this.source.configPath }, "config change refused (errors logged above); keeping the last good config");
      return false;
    }
    if (fingerprint(outcome.loaded) === fingerprint(this.good)) return true;
    this.good = outcome.loaded;
    try {
      await this.apply?.(outcome.loaded);
    } catch (error) {
      this.log.error({ err: error, config: this.source.configPath }, "applying the changed config failed");
      return false;
    }
    return true;
  }
}
