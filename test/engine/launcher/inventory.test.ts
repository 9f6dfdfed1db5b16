import assert from "node:assert/strict";
import { test } from "node:test";
import type { InventoryHost } from "../../../engine/drivers/driver.ts";
import { planInventory, type InventoryInput } from "../../../engine/launcher/inventory.ts";
import type { ObservedNode } from "../../../engine/reconcile/state.ts";
import { asNodeId, asRequestId } from "../../../engine/zk/ids.ts";
import { newNode, type NodeRecord } from "../../../engine/zk/records/node.ts";

const KEYS = ["ssh-ed25519 AAAA"];

function host(overrides: Partial<InventoryHost> = {}): InventoryHost {
  return {
    name: "host-1",
    pool: "main",
    labels: ["fake-label"],
    slots: 1,
    username: "zuul",
    connectionType: "ssh",
    port: 22,
    hostKeys: KEYS,
    status: "up",
    reason: null,
    ...overrides,
  };
}

let seq = 0;
function record(fields: Partial<NodeRecord> = {}): ObservedNode {
  const id = asNodeId(String(++seq).padStart(10, "0"));
  const base = newNode({
    state: "ready",
    provider: "static",
    pool: "main",
    type: ["fake-label"],
    hostname: "host-1",
    interfaceIp: "host-1",
    username: "zuul",
    connectionType: "ssh",
    connectionPort: 22,
    hostKeys: KEYS,
    launcher: "static driver",
  });
  return { ...base, ...fields, id };
}

function plan(hosts: InventoryHost[], nodes: ObservedNode[], extra: Partial<InventoryInput> = {}) {
  return planInventory({ provider: "static", hosts, nodes, unavailable: new Set(), registering: new Map(), deregistering: new Set(), ...extra });
}

const kinds = (actions: ReturnType<typeof plan>) => actions.map((a) => `${a.kind} ${a.kind === "register-host" ? `${a.host}×${a.count}` : a.node}`);

test("each host gets max-parallel-jobs records; a host not checked yet is registered after its check", () => {
  const actions = plan([host({ slots: 2 }), host({ name: "host-2", status: "unknown", hostKeys: null })], []);
  assert.deepEqual(kinds(actions), ["register-host host-1×2", "register-host host-2×1"]);
  assert.match(actions[1]!.reason, /after a host check/);
});

test("records in any state hold their slot; registrations in progress count too", () => {
  assert.deepEqual(plan([host({ slots: 2 })], [record({ state: "in-use", allocatedTo: asRequestId("100-0000000001") }), record({ state: "used" })]), []);
  assert.deepEqual(kinds(plan([host({ slots: 3 })], [record()], { registering: new Map([["host-1", 1]]) })), ["register-host host-1×1"]);
});

test("a record deleted (after use or behind our back) is registered again", () => {
  assert.deepEqual(kinds(plan([host({ slots: 2 })], [record()])), ["register-host host-1×1"]);
});

test("lowering max-parallel-jobs deregisters free records, newest first, and leaves records in use alone", () => {
  const inUse = record({ state: "in-use", allocatedTo: asRequestId("100-0000000001") });
  const older = record();
  const newer = record();
  assert.deepEqual(kinds(plan([host({ slots: 1 })], [inUse, older, newer])), [`deregister-node ${newer.id}`, `deregister-node ${older.id}`]);
  // Lowered to 1 while both are in use: nothing now; the slot is not re-registered when one returns.
  const a = record({ state: "in-use" });
  const b = record({ state: "in-use" });
  assert.deepEqual(plan([host({ slots: 1 })], [a, b]), []);
  assert.deepEqual(plan([host({ slots: 1 })], [a]), []);
});

test("a removed host's free records go at once, its in-use ones when they come back", () => {
  const free = record();
  const busy = record({ state: "in-use", allocatedTo: asRequestId("100-0000000001") });
  const actions = plan([], [free, busy]);
  assert.deepEqual(kinds(actions), [`deregister-node ${free.id}`]);
  assert.match(actions[0]!.reason, /no longer in pool main of provider static/);
  const back = { ...busy, state: "ready" as const, allocatedTo: null };
  assert.deepEqual(kinds(plan([], [back])), [`deregister-node ${busy.id}`]);
});

test("locked, held or allocated records are neither deregistered nor updated", () => {
  const locked = record({ username: "old" });
  const allocated = record({ username: "old", allocatedTo: asRequestId("100-0000000002") });
  assert.deepEqual(plan([host({ slots: 0 })], [locked, allocated], { unavailable: new Set([locked.id]) }), []);
  assert.deepEqual(plan([host({ slots: 2 })], [locked, allocated], { unavailable: new Set([locked.id]) }), []);
});

test("label, username, port, connection-type and host key changes update free records in place", () => {
  const node = record();
  const changed = host({ labels: ["fake-label", "fake-label2"], username: "admin", connectionType: "winrm", port: 5986, hostKeys: [] });
  const actions = plan([changed], [node]);
  assert.equal(actions.length, 1);
  const [update] = actions;
  assert.ok(update?.kind === "update-node");
  assert.equal(update.node, node.id);
  assert.deepEqual(update.fields, { type: ["fake-label", "fake-label2"], username: "admin", connection_type: "winrm", connection_port: 5986, host_keys: [] });
  assert.equal(update.reason, "labels fake-label → fake-label,fake-label2, username zuul → admin, connection-type ssh → winrm, connection-port 22 → 5986, host keys");
  // Not scanned since the change: the keys are left as they are.
  const unscanned = plan([host({ port: 2222, status: "unknown", hostKeys: null })], [node]);
  assert.ok(unscanned[0]?.kind === "update-node");
  assert.equal("host_keys" in unscanned[0].fields, false);
  // Same keys in another order: no change.
  assert.deepEqual(plan([host({ hostKeys: ["b", "a"] })], [record({ hostKeys: ["a", "b"] })]), []);
});

test("a host that fails its check registers nothing and its free records are deregistered", () => {
  const free = record();
  const busy = record({ state: "in-use" });
  const actions = plan([host({ slots: 3, status: "down", reason: "connection refused" })], [free, busy]);
  assert.deepEqual(kinds(actions), [`deregister-node ${free.id}`]);
  assert.match(actions[0]!.reason, /does not answer: connection refused/);
  assert.match(plan([host({ status: "refused", reason: "host key mismatch" })], [record()])[0]!.reason, /failed its host key check/);
});

test("records of other providers and of a host moved to another pool are told apart", () => {
  const other = record({ provider: "cloud" });
  const moved = record({ pool: "old-pool" });
  const actions = plan([host()], [other, moved]);
  assert.deepEqual(kinds(actions), ["register-host host-1×1", `deregister-node ${moved.id}`]);
});

test("records already on their way out are not deregistered twice over", () => {
  const kept = record();
  const leaving = record({ state: "deleting" });
  assert.deepEqual(plan([host({ slots: 1 })], [kept, leaving]), []);
  // A used record and a ready one, max-parallel-jobs lowered to 1: the used one goes anyway.
  assert.deepEqual(plan([host({ slots: 1 })], [kept, record({ state: "used" })]), []);
  // A deregistration under way, its record still ready in the cache: not a second one.
  const going = record();
  assert.deepEqual(plan([host({ slots: 1 })], [kept, going], { deregistering: new Set([going.id]), unavailable: new Set([going.id]) }), []);
});
