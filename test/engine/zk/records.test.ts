import assert from "node:assert/strict";
import { test } from "node:test";
import { asBuildId, asLauncherId, asNodeId, asRequestId, asUploadId, priorityPrefix, parseBuildDisplayName, splitRequestId } from "../../../engine/zk/ids.ts";
import { MalformedRecordError } from "../../../engine/zk/errors.ts";
import { decodeBuild, decodeUpload, encodeBuild, encodeUpload, newBuild, newUpload } from "../../../engine/zk/records/image.ts";
import { decodeLauncher, encodeLauncher, newLauncher } from "../../../engine/zk/records/launcher.ts";
import { decodeNode, encodeNode, holdExpiration, newNode, type NodeRecord } from "../../../engine/zk/records/node.ts";
import { compareRequests, decodeRequest, encodeRequest, newRequest, type NodeRequestRecord } from "../../../engine/zk/records/request.ts";

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const parsed = (data: Buffer): Record<string, unknown> => JSON.parse(data.toString()) as Record<string, unknown>;

const NODE_KEYS = [
  "state", "state_time", "created_time", "cloud", "provider", "pool", "type", "allocated_to", "az", "region",
  "public_ipv4", "private_ipv4", "public_ipv6", "host_id", "interface_ip", "connection_port", "ssh_port", "image_id",
  "launcher", "external_id", "hostname", "comment", "hold_job", "host_keys", "username", "connection_type",
  "hold_expiration", "resources", "attributes",
].sort();

function node(data: unknown): NodeRecord {
  const decoded = decodeNode(asNodeId("0000000001"), json(data), "/nodepool/nodes/0000000001");
  assert.notEqual(decoded, "empty");
  return decoded as NodeRecord;
}

test("a node is written with every field of the reference and no id", () => {
  const written = parsed(encodeNode(newNode({ provider: "p", type: ["l"], allocatedTo: asRequestId("100-0000000001") }, 1556000003.01)));
  assert.deepEqual(Object.keys(written).sort(), NODE_KEYS);
  assert.equal(written.state, "init");
  assert.equal(written.state_time, 1556000003.01);
  assert.equal(written.created_time, 1556000003.01);
  assert.deepEqual(written.type, ["l"]);
  assert.deepEqual(written.host_keys, []);
  assert.equal(written.connection_port, 22);
  assert.equal(written.ssh_port, 22);
  assert.equal(written.username, null);
});

test("node defaults on read follow Nodepool: string type, ssh_port fallback, username only when absent", () => {
  const n = node({ state: "ready", state_time: 5, type: "ubuntu", ssh_port: 2222 });
  assert.deepEqual(n.type, ["ubuntu"]);
  assert.equal(n.connectionPort, 2222);
  assert.equal(n.username, "zuul");
  assert.deepEqual(n.hostKeys, []);
  assert.equal(node({ state: "ready", state_time: 5, username: null }).username, null);
  assert.equal(node({ state: "ready", state_time: 5 }).connectionPort, 22);
  const k8s = { name: "ns", namespace: "ns", host: "https://k", skiptls: false, token: "t", ca_crt: "c", user: "u" };
  assert.deepEqual(node({ state: "ready", state_time: 5, connection_port: k8s }).connectionPort, k8s);
});

test("hold_expiration is coerced like Nodepool's int()", () => {
  assert.equal(holdExpiration(5.9), 5);
  assert.equal(holdExpiration(" 42 "), 42);
  assert.equal(holdExpiration("abc"), 0);
  assert.equal(holdExpiration("1.5"), 0);
  assert.equal(holdExpiration(null), null);
  assert.equal(holdExpiration(undefined), null);
});

test("unknown node fields survive a rewrite; Zuul-reserved keys are never written", () => {
  const n = node({ state: "hold", state_time: 5, newer_field: { a: 1 }, name: ["x"], id: "1", _private: 1, lock: "l" });
  const written = parsed(encodeNode({ ...n, comment: "kept" }));
  assert.deepEqual(written.newer_field, { a: 1 });
  for (const key of ["name", "id", "_private", "lock", "label"]) assert.equal(key in written, false, key);
  assert.equal(written.comment, "kept");
});

test("malformed and empty records are told apart", () => {
  const path = "/nodepool/nodes/0000000009";
  assert.equal(decodeNode(asNodeId("0000000009"), Buffer.alloc(0), path), "empty");
  assert.throws(() => decodeNode(asNodeId("0000000009"), Buffer.from("{nope"), path), (e: unknown) => e instanceof MalformedRecordError && e.message.includes(path));
  assert.throws(() => decodeNode(asNodeId("0000000009"), json({ state: "bogus", state_time: 1 }), path), /invalid node record at "state"/);
  assert.throws(() => decodeNode(asNodeId("0000000009"), json([1]), path), MalformedRecordError);
});

test("a request written by Zuul keeps created_time and gains Nodepool's full field set", () => {
  const zuul = { node_types: ["ubuntu-bionic", "ubuntu-bionic"], requestor: "zuul01.example.org", created_time: 1556000000.25, provider: null, state: "requested", state_time: 1556000000.25, relative_priority: 3 };
  const r = decodeRequest(asRequestId("200-0000004711"), json(zuul), "/nodepool/requests/200-0000004711") as NodeRequestRecord;
  assert.equal(r.reuse, true);
  assert.deepEqual(r.nodes, []);
  assert.deepEqual(r.declinedBy, []);
  const written = parsed(encodeRequest({ ...r, state: "pending", stateTime: 1556000002.9 }));
  assert.deepEqual(written, {
    created_time: 1556000000.25, state: "pending", state_time: 1556000002.9, declined_by: [], node_types: ["ubuntu-bionic", "ubuntu-bionic"],
    nodes: [], reuse: true, requestor: "zuul01.example.org", provider: null, relative_priority: 3,
  });
});

test("min-ready request JSON matches the reference example", () => {
  const written = parsed(encodeRequest(newRequest({ nodeTypes: ["centos-7"], reuse: false, requestor: "NodePool:min-ready" }, 1556000001.0)));
  assert.deepEqual(written, { state: "requested", state_time: 1556000001.0, declined_by: [], node_types: ["centos-7"], nodes: [], reuse: false, requestor: "NodePool:min-ready", provider: null, relative_priority: 0 });
});

test("requests sort by priority prefix, relative priority, then sequence", () => {
  const r = (id: string, rp: number) => ({ id: asRequestId(id), relativePriority: rp });
  const sorted = [r("300-0000000001", 0), r("100-0000000002", 5), r("100-0000000003", 1), r("200-0000000004", 0), r("099-0000000005", 0)].sort(compareRequests);
  assert.deepEqual(sorted.map((x) => x.id), ["099-0000000005", "100-0000000003", "100-0000000002", "200-0000000004", "300-0000000001"]);
  assert.equal(priorityPrefix(99), "099");
  assert.deepEqual(splitRequestId("200-0000004711"), { priority: "200", sequence: "0000004711" });
});

test("launcher registration JSON: id, provider_name, sorted labels; provider defaults to unknown", () => {
  const id = asLauncherId("nl01-2231-PoolWorker.cloud-east-main");
  assert.deepEqual(parsed(encodeLauncher(newLauncher(id, "cloud-east", ["ubuntu-bionic", "centos-7"]))), {
    id: "nl01-2231-PoolWorker.cloud-east-main", provider_name: "cloud-east", supported_labels: ["centos-7", "ubuntu-bionic"],
  });
  const other = decodeLauncher(asLauncherId("fake-1"), json({ id: "fake-1", supported_labels: ["x"] }), "/nodepool/launchers/fake-1");
  assert.notEqual(other, "empty");
  assert.equal(other !== "empty" && other.providerName, "unknown");
});

test("build JSON: formats as a sorted comma string, builder fields omitted when null", () => {
  const b = newBuild("img", { builder: "nb01", builderId: "5b0f7c1e-2d3a-4f67-9a1b-0c2d3e4f5a6b", formats: ["raw", "qcow2"] }, 1556010000.0);
  assert.deepEqual(parsed(encodeBuild(b)), { state: "building", state_time: 1556010000.0, builder: "nb01", builder_id: "5b0f7c1e-2d3a-4f67-9a1b-0c2d3e4f5a6b", formats: "qcow2,raw", username: null });
  assert.deepEqual(parsed(encodeBuild(newBuild("img", { state: "failed" }, 1))), { state: "failed", state_time: 1, username: null });
  const read = decodeBuild("img", asBuildId("0000000001"), json({ state: "ready", state_time: 2, formats: "qcow2,raw" }), "/p");
  assert.ok(read !== "empty");
  assert.deepEqual(read.formats, ["qcow2", "raw"]);
  assert.equal(read.username, "zuul");
  assert.equal(read.builder, null);
});

test("upload JSON has exactly the six keys", () => {
  const u = newUpload("img", asBuildId("0000000001"), "p1", { state: "ready", externalId: "x", externalName: "img-1", format: "qcow2", username: "zuul" }, 3);
  assert.deepEqual(parsed(encodeUpload(u)), { state: "ready", state_time: 3, external_id: "x", external_name: "img-1", format: "qcow2", username: "zuul" });
  const read = decodeUpload("img", asBuildId("0000000001"), "p1", asUploadId("0000000002"), json({ state: "uploading", state_time: 1 }), "/p");
  assert.ok(read !== "empty");
  assert.equal(read.username, "zuul");
  assert.deepEqual(parseBuildDisplayName("ubuntu-bionic-0000000012"), { image: "ubuntu-bionic", build: "0000000012" });
});
