import assert from "node:assert/strict";
import { test } from "node:test";
import { failMalformedRequest } from "../../../engine/launcher/malformed-request.ts";
import { asLauncherId, asRequestId } from "../../../engine/zk/ids.ts";
import { decodeRequest, encodeRequest, newRequest } from "../../../engine/zk/records/request.ts";

const ID = asRequestId("200-0000000007");
const PATH = "/nodepool/requests/200-0000000007";
const US = [asLauncherId("host-1-PoolWorker.p1-main")];
const NOW = 1_700_000_000.5;
const data = (value: unknown): Buffer => Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");

/** What every reader of the written record sees: it must decode. */
const reread = (record: Parameters<typeof encodeRequest>[0]) => decodeRequest(ID, encodeRequest(record), PATH);

test("data that is not JSON is failed with a minimal valid record", () => {
  const failed = failMalformedRequest(ID, data("{oops"), PATH, US, NOW);
  assert.match(failed?.reason ?? "", /not valid JSON/);
  assert.deepEqual(JSON.parse(encodeRequest(failed!.record).toString()), {
    state: "failed",
    state_time: NOW,
    declined_by: US,
    node_types: [],
    nodes: [],
    reuse: true,
    requestor: null,
    provider: null,
    relative_priority: 0,
  });
  assert.equal(failMalformedRequest(ID, data("[1, 2]"), PATH, US, NOW)?.record.state, "failed");
  assert.equal(failMalformedRequest(ID, data(""), PATH, US, NOW)?.record.state, "failed");
});

test("a field of the wrong type gets its default; readable and unknown fields are kept as they were", () => {
  const raw = { state: "requested", state_time: 5, node_types: "ubuntu", requestor: "zuul01", declined_by: ["other"], relative_priority: 2, created_time: 4.5, tenant: { name: "t" } };
  const failed = failMalformedRequest(ID, data(raw), PATH, US, NOW);
  assert.match(failed?.reason ?? "", /at "node_types"/);
  const record = reread(failed!.record);
  assert.ok(record !== "empty");
  assert.equal(record.state, "failed");
  assert.equal(record.stateTime, NOW);
  assert.deepEqual(record.nodeTypes, []);
  assert.equal(record.requestor, "zuul01");
  assert.equal(record.relativePriority, 2);
  assert.deepEqual(record.declinedBy, ["other", ...US]);
  assert.deepEqual(record.extra, { created_time: 4.5, tenant: { name: "t" } });
  const badState = reread(failMalformedRequest(ID, data({ ...raw, node_types: ["ubuntu"], state: "bogus", state_time: "soon" }), PATH, US, NOW)!.record);
  assert.ok(badState !== "empty" && badState.state === "failed" && badState.stateTime === NOW && badState.nodeTypes[0] === "ubuntu");
});

test("a valid record, with fields a newer Zuul writes, is not malformed", () => {
  const newer = { ...JSON.parse(encodeRequest(newRequest({ nodeTypes: ["ubuntu"] })).toString()), event_id: "e", labels_meta: [1] };
  assert.equal(failMalformedRequest(ID, data(newer), PATH, US, NOW), null);
});
