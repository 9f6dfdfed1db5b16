import assert from "node:assert/strict";
import { test } from "node:test";
import { afterCheck, missingHostKeys, nextCheck, normaliseKey, type CheckPolicy, type HostStatus } from "../../../../engine/drivers/static/host-status.ts";

const policy: CheckPolicy = { livenessIntervalMs: 60_000, retryBaseMs: 2_000 };
const unknown: HostStatus = { kind: "unknown" };

test("a new host is scanned at once; once up it is only probed, once per liveness interval", () => {
  assert.deepEqual(nextCheck(unknown, policy), { at: 0, kind: "scan" });
  const { status, change } = afterCheck(unknown, { kind: "scanned", keys: ["ssh-ed25519 AAA"] }, 1_000, policy);
  assert.equal(change, "up");
  assert.deepEqual(nextCheck(status, policy), { at: 61_000, kind: "probe" });
  const probed = afterCheck(status, { kind: "alive" }, 61_000, policy);
  assert.equal(probed.change, null);
  assert.deepEqual(nextCheck(probed.status, policy), { at: 121_000, kind: "probe" });
  assert.equal(probed.status.kind === "up" && probed.status.scannedAt, 1_000, "a probe is not a key exchange");
});

test("a failing host is logged once, retried with a doubling delay capped at the liveness interval, and logged again when back", () => {
  let status: HostStatus = afterCheck(unknown, { kind: "scanned", keys: ["k1"] }, 0, policy).status;
  const changes: (string | null)[] = [];
  const retries: number[] = [];
  let now = 60_000;
  for (let i = 0; i < 8; i++) {
    const next = afterCheck(status, { kind: "failed", reason: "connection refused" }, now, policy);
    changes.push(next.change);
    status = next.status;
    const { at, kind } = nextCheck(status, policy);
    assert.equal(kind, "scan", "a host coming back is scanned again: its keys may have changed");
    retries.push(at - now);
    now = at;
  }
  assert.deepEqual(changes, ["down", null, null, null, null, null, null, null]);
  assert.deepEqual(retries, [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  const back = afterCheck(status, { kind: "scanned", keys: ["k2"] }, now, policy);
  assert.equal(back.change, "back");
  assert.equal(back.status.kind, "up");
  // Backoff starts afresh after a recovery.
  const again = afterCheck(back.status, { kind: "failed", reason: "timeout" }, now + 1, policy);
  assert.equal(nextCheck(again.status, policy).at, now + 1 + 2_000);
});

test("a host key mismatch is logged once per set of keys found", () => {
  const mismatch = { kind: "mismatch", expected: ["ssh-rsa EXPECTED"], found: ["ssh-ed25519 A"] } as const;
  const first = afterCheck(unknown, mismatch, 0, policy);
  assert.equal(first.change, "refused");
  const second = afterCheck(first.status, mismatch, 2_000, policy);
  assert.equal(second.change, null);
  assert.equal(nextCheck(second.status, policy).at, 2_000 + 4_000);
  const other = afterCheck(second.status, { ...mismatch, found: ["ssh-ed25519 B"] }, 6_000, policy);
  assert.equal(other.change, "refused");
});

test("new keys on a host that stays up are a change; the same keys are not", () => {
  const up = afterCheck(unknown, { kind: "scanned", keys: ["a", "b"] }, 0, policy).status;
  assert.equal(afterCheck(up, { kind: "scanned", keys: ["b", "a"] }, 1, policy).change, null);
  assert.equal(afterCheck(up, { kind: "scanned", keys: ["a", "c"] }, 1, policy).change, "keys-changed");
});

test("a probe of a host that is not up changes nothing", () => {
  assert.deepEqual(afterCheck(unknown, { kind: "alive" }, 5, policy), { status: unknown, change: null });
});

test("configured host keys are compared without their comments", () => {
  assert.equal(normaliseKey("  ssh-rsa AAAA root@host "), "ssh-rsa AAAA");
  assert.deepEqual(missingHostKeys(["ssh-rsa AAAA root@host", "ssh-ed25519 BBBB"], ["ssh-rsa AAAA", "ecdsa-sha2-nistp256 CCCC"]), ["ssh-ed25519 BBBB"]);
  assert.deepEqual(missingHostKeys([], ["ssh-rsa AAAA"]), []);
});
