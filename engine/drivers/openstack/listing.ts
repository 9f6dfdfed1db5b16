/**
 * Shared listings: however many launches and deletions wait on a provider's servers, the
 * cloud is asked with one listing per interval, and every waiter reads its server from it
 * (the reference makes a GET per server per poll). A caller of `next()` gets a listing that
 * began after it asked, so nothing it did before is missing from the answer.
 */

export interface Listing<T> {
  items: T[];
  /** performance.now() when the listing was requested from the cloud. */
  startedAt: number;
}

/** Runs `fetch` for every group of callers that arrive while the previous listing runs. */
export class Coalescer<T> {
  private pending: { promise: Promise<Listing<T>>; resolve: (l: Listing<T>) => void; reject: (e: unknown) => void } | null = null;
  private pumping = false;

  constructor(private readonly fetch: () => Promise<T[]>) {}

  next(): Promise<Listing<T>> {
    if (this.pending) return this.pending.promise;
    let resolve!: (l: Listing<T>) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<Listing<T>>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pending = { promise, resolve, reject };
    void this.pump();
    return promise;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.pending) {
        const waiting = this.pending;
        this.pending = null;
        const startedAt = performance.now();
        try {
          waiting.resolve({ items: await this.fetch(), startedAt });
        } catch (error) {
          waiting.reject(error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}

interface Waiter<T> {
  id: string;
  since: number;
  done: (item: T | undefined) => boolean;
  resolve: (item: T | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Waits on items of a listing by id: while anyone waits, lists every `intervalMs` and hands each
 * waiter its item (or undefined when absent) until its `done` says so.
 */
export class ListingWatch<T extends { id: string }> {
  private readonly waiters = new Set<Waiter<T>>();
  private polling = false;

  constructor(
    readonly listing: Coalescer<T>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves with the item once `done(item)` holds in a listing begun after this call. */
  waitFor(id: string, done: (item: T | undefined) => boolean, signal?: AbortSignal): Promise<T | undefined> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        id,
        since: performance.now(),
        done,
        resolve: (item) => {
          signal?.removeEventListener("abort", abort);
          resolve(item);
        },
        reject,
      };
      const abort = (): void => {
        this.waiters.delete(waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
      this.waiters.add(waiter);
      void this.poll();
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.waiters.size > 0) {
        try {
          this.deliver(await this.listing.next());
        } catch (error) {
          this.onError(error);
        }
        if (this.waiters.size > 0) await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    } finally {
      this.polling = false;
    }
  }

  private deliver(listing: Listing<T>): void {
    const byId = new Map(listing.items.map((item) => [item.id, item]));
    for (const waiter of [...this.waiters]) {
      if (waiter.since > listing.startedAt) continue;
      const item = byId.get(waiter.id);
      let finished: boolean;
      try {
        finished = waiter.done(item);
      } catch (error) {
        this.waiters.delete(waiter);
        waiter.reject(error);
        continue;
      }
      if (finished) {
        this.waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }
}
