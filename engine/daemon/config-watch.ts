/**
 * Watching the config files for changes: the config, the secure file and, for a `.config.ts`,
 * the local modules it imports. Editors replace files (write a new one, rename it over the
 * old), so the directories are watched and events filtered by name. Bursts of events (an
 * editor's several writes) are debounced into one callback.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export const RELOAD_DEBOUNCE_MS = 100;

export class ConfigWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private names = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly onChange: () => void,
    private readonly debounceMs: number = RELOAD_DEBOUNCE_MS,
  ) {}

  /** Watches exactly these files from now on (directories no longer needed are let go). */
  setFiles(files: readonly string[]): void {
    if (this.closed) return;
    const names = new Map<string, Set<string>>();
    for (const file of files.map((f) => resolve(f))) {
      const dir = dirname(file);
      names.set(dir, (names.get(dir) ?? new Set()).add(basename(file)));
    }
    this.names = names;
    for (const [dir, watcher] of this.watchers) {
      if (names.has(dir)) continue;
      watcher.close();
      this.watchers.delete(dir);
    }
    for (const dir of names.keys()) {
      if (this.watchers.has(dir)) continue;
      const watcher = watch(dir, (_event, name) => {
        if (name === null || this.names.get(dir)?.has(name.toString())) this.changed();
      });
      // The directory went away: drop its watcher (the next setFiles makes a new one) and re-read,
      // which reports the missing file and keeps the last good config.
      watcher.on("error", () => {
        watcher.close();
        this.watchers.delete(dir);
        this.changed();
      });
      this.watchers.set(dir, watcher);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.closed) this.onChange();
    }, this.debounceMs);
  }
}
