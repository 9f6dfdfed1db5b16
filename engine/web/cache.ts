/**
 * The web API's one-second result cache (behaviour.md §6.5): per (path with its query,
 * text-or-JSON), the same bytes are served until the result is a second old. Concurrent
 * requests for a result being produced wait for that one read instead of starting their own.
 */
export interface CachedResult {
  readonly body: string;
  /** When the result was produced (ms since the epoch): its Last-Modified. */
  readonly producedMs: number;
}

interface Entry {
  readonly result: Promise<CachedResult>;
  /** Set once produced; undefined while the read is in flight. */
  producedMs?: number;
}

export class ResultCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(ttlMs: number, clock: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.clock = clock;
  }

  get(key: string, produce: () => Promise<string>): Promise<CachedResult> {
    const now = this.clock();
    for (const [k, entry] of this.entries) {
      if (entry.producedMs !== undefined && now - entry.producedMs >= this.ttlMs) this.entries.delete(k);
    }
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached.result;
    const result = produce().then(
      (body) => {
        const producedMs = this.clock();
        entry.producedMs = producedMs;
        return { body, producedMs };
      },
      (error: unknown) => {
        this.entries.delete(key);
        throw error;
      },
    );
    const entry: Entry = { result };
    this.entries.set(key, entry);
    return result;
  }
}
