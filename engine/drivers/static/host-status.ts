/**
 * What the static driver knows of each host, and when it looks again: pure transitions, so
 * the schedule and the "logged once per state change" rule are tested without a network.
 *
 * - A host is scanned (SSH key exchange) when first seen, when its check settings change, and
 *   when it comes back after failing; an `up` host is then only probed (TCP and the SSH
 *   identification line) once per liveness interval, so an idle rack costs one cheap probe per
 *   host per interval and no key exchange.
 * - A host that fails (no answer, timeout, host key mismatch) is retried with a full scan after
 *   a delay that doubles per consecutive failure, capped at the liveness interval.
 */

export type HostStatus =
  | { kind: "unknown" }
  /** `scannedAt`: the last key exchange; `checkedAt`: the last answer, scan or probe. */
  | { kind: "up"; keys: readonly string[]; since: number; scannedAt: number; checkedAt: number }
  | { kind: "down"; reason: string; since: number; failures: number; retryAt: number }
  | { kind: "refused"; expected: readonly string[]; found: readonly string[]; since: number; failures: number; retryAt: number };

export type CheckOutcome =
  /** A full scan answered (keys empty for hosts whose keys are not gathered). */
  | { kind: "scanned"; keys: readonly string[] }
  /** A liveness probe answered. */
  | { kind: "alive" }
  | { kind: "failed"; reason: string }
  | { kind: "mismatch"; expected: readonly string[]; found: readonly string[] };

/** A change worth one log line; repeated failures of the same kind are not. */
export type StatusChange = "up" | "back" | "down" | "refused" | "keys-changed";

export interface CheckPolicy {
  /** An `up` host is probed this often (ms). */
  livenessIntervalMs: number;
  /** First retry delay after a failure (ms); doubles per consecutive failure up to the liveness interval. */
  retryBaseMs: number;
}

export const DEFAULT_CHECK_POLICY: CheckPolicy = { livenessIntervalMs: 60_000, retryBaseMs: 2_000 };

const retryDelay = (failures: number, policy: CheckPolicy): number => Math.min(policy.retryBaseMs * 2 ** Math.max(failures - 1, 0), policy.livenessIntervalMs);

const failuresOf = (status: HostStatus): number => (status.kind === "down" || status.kind === "refused" ? status.failures : 0);

/** The status after a check ended at `now` (ms), and whether that is a change to log. */
export function afterCheck(status: HostStatus, outcome: CheckOutcome, now: number, policy: CheckPolicy = DEFAULT_CHECK_POLICY): { status: HostStatus; change: StatusChange | null } {
  switch (outcome.kind) {
    case "scanned": {
      const next: HostStatus = { kind: "up", keys: outcome.keys, since: status.kind === "up" ? status.since : now, scannedAt: now, checkedAt: now };
      if (status.kind === "up") return { status: next, change: sameKeys(status.keys, outcome.keys) ? null : "keys-changed" };
      return { status: next, change: status.kind === "unknown" ? "up" : "back" };
    }
    case "alive":
      // A probe says nothing of keys: only an `up` host is probed, and it stays up.
      return status.kind === "up" ? { status: { ...status, checkedAt: now }, change: null } : { status, change: null };
    case "failed": {
      const failures = failuresOf(status) + 1;
      const next: HostStatus = { kind: "down", reason: outcome.reason, since: status.kind === "down" ? status.since : now, failures, retryAt: now + retryDelay(failures, policy) };
      return { status: next, change: status.kind === "down" ? null : "down" };
    }
    case "mismatch": {
      const failures = failuresOf(status) + 1;
      const same = status.kind === "refused" && sameKeys(status.found, outcome.found) && sameKeys(status.expected, outcome.expected);
      const next: HostStatus = {
        kind: "refused",
        expected: outcome.expected,
        found: outcome.found,
        since: same ? status.since : now,
        failures,
        retryAt: now + retryDelay(failures, policy),
      };
      return { status: next, change: same ? null : "refused" };
    }
  }
}

/** When the host is looked at next (ms) and how. */
export function nextCheck(status: HostStatus, policy: CheckPolicy = DEFAULT_CHECK_POLICY): { at: number; kind: "scan" | "probe" } {
  switch (status.kind) {
    case "unknown":
      return { at: 0, kind: "scan" };
    case "up":
      return { at: status.checkedAt + policy.livenessIntervalMs, kind: "probe" };
    case "down":
    case "refused":
      return { at: status.retryAt, kind: "scan" };
  }
}

/** A key as written in config or a known_hosts line: type and base64, without a comment. */
export const normaliseKey = (key: string): string => key.trim().split(/\s+/).slice(0, 2).join(" ");

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((key, i) => key === [...b].sort()[i]);
}

/** The configured host keys that are not among the scanned ones (§3B.2: each must be). */
export function missingHostKeys(expected: readonly string[], found: readonly string[]): string[] {
  const have = new Set(found.map(normaliseKey));
  return expected.filter((key) => !have.has(normaliseKey(key)));
}
