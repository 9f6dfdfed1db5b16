/**
 * A provider's `rate` (behaviour.md §1.6): at least `rate` seconds between API calls to one
 * cloud. Callers await their slot; slots are handed out in call order.
 */
export class RateLimiter {
  private next = 0;

  constructor(private readonly intervalMs: number) {}

  /** Resolves when the caller may make its call. */
  async slot(): Promise<void> {
    if (this.intervalMs <= 0) return;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
