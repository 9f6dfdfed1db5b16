import assert from "node:assert/strict";
import { test } from "node:test";
import { MalformedRecordError } from "../../../../engine/zk/errors.ts";
import { asNodeId } from "../../../../engine/zk/ids.ts";
import { decodeNode, encodeNode, newNode, plainNodeWire, schemaNodeWire, type NodeWire } from "../../../../engine/zk/records/node.ts";

/**
 * decodeNode checks the plain records every Nodepool writes by hand and leaves the rest to the
 * schema: for every record, the hand check must either agree with the schema exactly or step
 * aside, so that decoding, errors and preserved unknown fields never depend on which one ran.
 */

const PATH = "/nodepool/nodes/0000000001";

/** Values as JSON text, so that what JSON.parse alone can make (1e999, a "__proto__" key) is covered. */
const VALUES = [
  "null", "true", "false", "0", "-0.5", "22", "1.5", "1e999", "-1e999", '""', '"ready"', '"used"', '"ssh"', '"17"', '"x_1"',
  "[]", '["a"]', '["a","b"]', "[1]", '["a",null]', "[[]]", "{}", '{"a":1}', '{"a":{"b":[1]}}', '{"__proto__":{"x":1}}', '{"k":null}',
];

const BASE = encodeNode(
  newNode(
    {
      state: "ready",
      provider: "cloud-east",
      pool: "main",
      type: ["ubuntu-jammy"],
      externalId: "server-1",
      hostname: "ubuntu-jammy-cloud-east-1",
      publicIpv4: "203.0.113.1",
      az: "az1",
      launcher: "nl01",
      holdExpiration: 3600,
      resources: { cores: 2, ram: 8192 },
      attributes: { "executor-zone": "east" },
    },
    1_700_000_000.5,
  ),
).toString("utf8");
const KEYS = Object.keys(JSON.parse(BASE) as object);

/** The base record with `key` set to the JSON text `value`, or removed when `value` is undefined. */
function variant(key: string, value: string | undefined): string {
  const fields = KEYS.filter((k) => k !== key).map((k) => `${JSON.stringify(k)}:${JSON.stringify((JSON.parse(BASE) as Record<string, unknown>)[k])}`);
  if (value !== undefined) fields.push(`${JSON.stringify(key)}:${value}`);
  return `{${fields.join(",")}}`;
}

/** The schema leaves absent optional keys out; the hand check writes them as undefined. */
function defined(wire: NodeWire): Record<string, unknown> {
  return Object.fromEntries(Object.entries(wire).filter(([, value]) => value !== undefined));
}

function schemaOutcome(text: string): { wire: NodeWire } | { error: string } {
  try {
    return { wire: schemaNodeWire(JSON.parse(text) as Record<string, unknown>, PATH) };
  } catch (error) {
    assert.ok(error instanceof MalformedRecordError);
    return { error: error.message };
  }
}

const CASES = [
  BASE,
  ...KEYS.flatMap((key) => [undefined, ...VALUES].map((value) => variant(key, value))),
  variant("unknown_field", '{"kept":true}'),
  variant("_private", "1"),
  "{}",
  '{"state":"ready"}',
  '{"state":"ready","state_time":1}',
];

test("the hand check agrees with the schema on every record it accepts, and steps aside on every one the schema rejects", () => {
  for (const text of CASES) {
    const schema = schemaOutcome(text);
    const fast = plainNodeWire(JSON.parse(text) as Record<string, unknown>);
    if (fast === undefined) continue;
    assert.ok("wire" in schema, `the hand check accepted a record the schema rejects (${"error" in schema ? schema.error : ""}): ${text}`);
    assert.deepEqual(defined(fast), defined(schema.wire), text);
  }
});

test("the hand check takes the records Nodepool writes, with any key left out", () => {
  for (const text of [BASE, ...KEYS.map((key) => variant(key, undefined))]) {
    if ("error" in schemaOutcome(text)) continue;
    assert.notEqual(plainNodeWire(JSON.parse(text) as Record<string, unknown>), undefined, text);
  }
});

// decodeNode maps either reading to a NodeRecord with the same code, so equal readings (above)
// give equal records; what is left to show is that errors and unknown fields do not change.
test("decodeNode fails exactly where the schema does, with its message, and keeps unknown fields", () => {
  const id = asNodeId("0000000001");
  for (const text of CASES) {
    const schema = schemaOutcome(text);
    let decoded: ReturnType<typeof decodeNode>;
    try {
      decoded = decodeNode(id, Buffer.from(text), PATH);
    } catch (error) {
      assert.ok(error instanceof MalformedRecordError, text);
      assert.deepEqual({ error: error.message }, schema, text);
      continue;
    }
    assert.ok("wire" in schema, `decoded a record the schema rejects: ${text}`);
    assert.notEqual(decoded, "empty");
    if (decoded === "empty") continue;
    const raw = JSON.parse(text) as Record<string, unknown>;
    const unknown = Object.keys(raw).filter((key) => !KEYS.includes(key) && key !== "_private");
    assert.deepEqual(Object.keys(decoded.extra), unknown, text);
  }
});

test("the plain record Nodepool writes is read without the schema, unknown fields kept and reserved ones dropped", () => {
  const raw = { ...(JSON.parse(BASE) as Record<string, unknown>), "executor-extra": { a: 1 }, name: "zuul-reserved", _x: 1 };
  assert.notEqual(plainNodeWire(raw), undefined);
  const node = decodeNode(asNodeId("0000000001"), Buffer.from(JSON.stringify(raw)), PATH);
  assert.notEqual(node, "empty");
  if (node === "empty") return;
  assert.deepEqual(node.extra, { "executor-extra": { a: 1 } });
  assert.deepEqual(node.type, ["ubuntu-jammy"]);
  assert.equal(node.holdExpiration, 3600);
  assert.deepEqual(node.attributes, { "executor-zone": "east" });
});

test("malformed records fail with the schema's message whatever their shape", () => {
  const id = asNodeId("0000000001");
  assert.throws(() => decodeNode(id, Buffer.from(variant("state_time", '"soon"')), PATH), (error: Error) => error instanceof MalformedRecordError && /at "state_time"/.test(error.message));
  assert.throws(() => decodeNode(id, Buffer.from(variant("state", '"bogus"')), PATH), (error: Error) => error instanceof MalformedRecordError && /at "state"/.test(error.message));
  assert.throws(() => decodeNode(id, Buffer.from(variant("provider", "7")), PATH), (error: Error) => error instanceof MalformedRecordError && /at "provider"/.test(error.message));
  assert.throws(() => decodeNode(id, Buffer.from("[1]"), PATH), MalformedRecordError);
});
