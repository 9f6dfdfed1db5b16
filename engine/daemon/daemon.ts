/**
 * What the launcher and builder daemons have in common once started: a watched config that can
 * be re-read on demand, and one stop that closes the watch before the daemon's own shutdown.
 */
import type { DaemonConfig } from "./config.ts";

export abstract class ConfiguredDaemon {
  private stopped = false;

  protected constructor(protected readonly config: DaemonConfig) {}

  /** Re-reads the config now; false when it was refused and the last good one kept. */
  reload(): Promise<boolean> {
    return this.config.reload();
  }

  /** Stops following the config, then the daemon; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.config.close();
    await this.shutdown();
  }

  protected abstract shutdown(): Promise<void>;
}
