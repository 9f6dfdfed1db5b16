/**
 * Where helpers were called: `label()`, `diskimage()` and the other handle helpers remember the
 * stack of their call so that an error found after evaluation can point at the `.ts` line that
 * wrote the value. Private to the DSL: the evaluator (`_evaluate.ts`) reads it, in the same bundle.
 */
const sites = new WeakMap<object, string>();

/** Remembers the call stack for `value` (a fresh object a helper returns). */
export function recordSite<T extends object>(value: T): T {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  if (holder.stack !== undefined) sites.set(value, holder.stack);
  return value;
}

export function siteOf(value: object): string | undefined {
  return sites.get(value);
}
