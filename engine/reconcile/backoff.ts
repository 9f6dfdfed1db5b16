/**
 * Per-object backoff, as Kubernetes controllers requeue a failing object through a rate
 * limiter: each failure of the same key doubles its wait (capped), a success forgets it. The
 * delays are cockatiel's exponential backoff without jitter, so `plan` can say when the next
 * try is due and a test can wait for it.
 */
import { ExponentialBackoff, noJitterGenerator, type IBackoff } from "cockatiel";

export interface BackoffOptions {
  /** The wait after the first failure. */
  initialMs: number;
  /** The longest wait, however often the object failed. */
  maxMs: number;
}

interface Entry {
  backoff: IBackoff<unknown>;
  failures: number;
  /** Epoch seconds before which the object is not tried again. */
  due: number;
  reason: string;
}

/** When an object may be tried again, and why it waits. */
export interface BackoffDue {
  due: number;
  failures: number;
  reason: string;
}

export class Backoff<K = string> {
  private readonly factory: ExponentialBackoff<number>;
  private readonly entries = new Map<K, Entry>();
  /** What `pending` answers while nothing waits: no map per pass. */
  private readonly none: ReadonlyMap<K, BackoffDue> = new Map();

  constructor(options: BackoffOptions) {
    this.factory = new ExponentialBackoff({ initialDelay: options.initialMs, maxDelay: options.maxMs, generator: noJitterGenerator });
  }

  /** Records a failure at `now` (epoch seconds); returns when the next try is due. */
  failed(key: K, reason: string, now: number): number {
    const previous = this.entries.get(key);
    const backoff = previous ? previous.backoff.next(undefined) : this.factory.next();
    const due = now + backoff.duration / 1000;
    this.entries.set(key, { backoff, failures: (previous?.failures ?? 0) + 1, due, reason });
    return due;
  }

  /** A success (or the object gone): its next failure starts from the first wait again. */
  forget(key: K): void {
    this.entries.delete(key);
  }

  /** When `key` may be tried again, if it is waiting at `now`. */
  waiting(key: K, now: number): BackoffDue | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.due > now ? { due: entry.due, failures: entry.failures, reason: entry.reason } : undefined;
  }

  /** Every object waiting at `now`, with when it is due. */
  pending(now: number): ReadonlyMap<K, BackoffDue> {
    if (this.entries.size === 0) return this.none;
    const waiting = new Map<K, BackoffDue>();
    for (const [key, entry] of this.entries) if (entry.due > now) waiting.set(key, { due: entry.due, failures: entry.failures, reason: entry.reason });
    return waiting;
  }

  /** The earliest due time after `now`, or null. */
  nextDue(now: number): number | null {
    let next: number | null = null;
    for (const { due } of this.entries.values()) if (due > now && (next === null || due < next)) next = due;
    return next;
  }

  get size(): number {
    return this.entries.size;
  }
}
