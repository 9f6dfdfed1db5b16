import { test } from "node:test";
import assert from "node:assert/strict";
import { asBuildId, asUploadId } from "../../../engine/zk/ids.ts";
import { describeBuilderAction, planBuilder, type BuilderAction } from "../../../engine/builder/plan.ts";
import type { BuilderDesired, BuilderObserved, DesiredImage, DesiredProvider, ObservedBuild, ObservedImage, ObservedUpload } from "../../../engine/builder/state.ts";

const NOW = 1_800_000_000;
const ME = "11111111-2222-4333-8444-555555555555";
const OTHER = "99999999-2222-4333-8444-555555555555";

function image(name: string, extra: Partial<DesiredImage> = {}): DesiredImage {
  return { name, pause: false, rebuildAge: 86400, formats: ["qcow2"], ...extra };
}
function provider(name: string, images: string[], extra: Partial<DesiredProvider> = {}): DesiredProvider {
  return { name, format: "qcow2", diskimages: images.map((i) => ({ name: i, pause: false })), ...extra };
}
function desired(images: DesiredImage[], providers: DesiredProvider[]): BuilderDesired {
  return { images: new Map(images.map((i) => [i.name, i])), providers: new Map(providers.map((p) => [p.name, p])) };
}
function upload(id: number, provider: string, stateTime: number, state: ObservedUpload["state"] = "ready"): ObservedUpload {
  return { id: asUploadId(String(id).padStart(10, "0")), provider, state, stateTime, externalName: `img-${id}` };
}
function build(id: number, stateTime: number, extra: Partial<ObservedBuild> = {}): ObservedBuild {
  return {
    id: asBuildId(String(id).padStart(10, "0")),
    state: "ready",
    stateTime,
    formats: ["qcow2"],
    builderId: ME,
    builder: "nb01",
    local: true,
    uploads: [],
    uploadLocked: new Set(),
    ...extra,
  };
}
function observed(images: ObservedImage[], retryAfter: [string, number][] = []): BuilderObserved {
  return { images: new Map(images.map((i) => [i.name, i])), builderId: ME, hostname: "nb01", retryAfter: new Map(retryAfter) };
}
function seen(name: string, builds: ObservedBuild[], extra: Partial<ObservedImage> = {}): ObservedImage {
  return { name, builds, buildRequested: false, buildLocked: false, ...extra };
}
const lines = (actions: readonly BuilderAction[]): string[] => actions.map(describeBuilderAction);

test("an image without a ready build is built; one whose newest build is older than rebuild-age is rebuilt", () => {
  const d = desired([image("a"), image("b")], []);
  const plan = planBuilder(d, observed([seen("b", [build(1, NOW - 86400)])]), NOW);
  assert.deepEqual(lines(plan.actions), ["build a: no ready build", "build b: rebuild-age 24h exceeded"]);
});

test("a fresh build wakes the builder when rebuild-age runs out; nothing is built while paused or while a build runs", () => {
  const d = desired([image("a", { rebuildAge: 3600 }), image("p", { pause: true }), image("busy")], []);
  const plan = planBuilder(d, observed([seen("a", [build(1, NOW - 600)]), seen("busy", [], { buildLocked: true })]), NOW);
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.nextWake, NOW - 600 + 3600);
});

test("a manual request and a missing format trigger a build; a failed build is retried after its delay", () => {
  const d = desired([image("m"), image("f", { formats: ["qcow2", "vhd"] }), image("r")], []);
  const o = observed([seen("m", [build(1, NOW - 10)], { buildRequested: true }), seen("f", [build(1, NOW - 10)])], [["r", NOW + 10]]);
  const plan = planBuilder(d, o, NOW);
  assert.deepEqual(lines(plan.actions), ["build m: image-build requested", "build f: newest ready build lacks format vhd"]);
  assert.equal(plan.nextWake, NOW + 10);
});

test("only the newest ready build is uploaded, by the builder holding its files, in a format the provider takes", () => {
  const d = desired([image("a")], [provider("p1", ["a"]), provider("vhd", ["a"], { format: "vhd" })]);
  const newest = build(2, NOW - 10, { uploads: [] });
  const plan = planBuilder(d, observed([seen("a", [build(1, NOW - 100, { uploads: [upload(1, "p1", NOW - 90)] }), newest])]), NOW);
  assert.deepEqual(lines(plan.actions.filter((a) => a.kind === "upload")), [
    "upload a-0000000002 to p1 (qcow2): newest build a-0000000002 has no ready upload to p1",
  ]);
  const elsewhere = planBuilder(d, observed([seen("a", [{ ...newest, local: false }])]), NOW);
  assert.deepEqual(elsewhere.actions.filter((a) => a.kind === "upload"), []);
});

test("rotation: a third ready build retires the oldest, uploads first, and the owner deletes it", () => {
  const d = desired([image("a")], [provider("p1", ["a"])]);
  const builds = [
    build(1, NOW - 3000, { uploads: [upload(1, "p1", NOW - 2900)] }),
    build(2, NOW - 2000, { uploads: [upload(1, "p1", NOW - 1900)] }),
    build(3, NOW - 1000, { uploads: [upload(1, "p1", NOW - 900)] }),
  ];
  const plan = planBuilder(d, observed([seen("a", builds)]), NOW);
  assert.deepEqual(lines(plan.actions), [
    "delete upload 0000000001 of a-0000000001 from p1: not among the two newest ready uploads to p1",
    "delete build a-0000000001: not among the two newest ready builds",
  ]);
});

test("an old build stays while one of its uploads is still among the two newest of a provider", () => {
  const d = desired([image("a")], [provider("p1", ["a"])]);
  const builds = [build(1, NOW - 3000, { uploads: [upload(1, "p1", NOW - 2900)] }), build(2, NOW - 2000), build(3, NOW - 1000, { uploads: [upload(1, "p1", NOW - 900)] })];
  const plan = planBuilder(d, observed([seen("a", builds)]), NOW);
  assert.deepEqual(plan.actions.filter((a) => a.kind !== "upload"), []);
});

test("provider diskimages emptied: its uploads go, the other provider's stay", () => {
  const d = desired([image("a")], [provider("p1", ["a"]), provider("p2", [])]);
  const builds = [build(1, NOW - 100, { uploads: [upload(1, "p1", NOW - 90), upload(1, "p2", NOW - 80)] })];
  const plan = planBuilder(d, observed([seen("a", builds)]), NOW);
  assert.deepEqual(lines(plan.actions), ["delete upload 0000000001 of a-0000000001 from p2: provider diskimages is empty"]);
});

test("failed and interrupted records are cleaned; an upload in progress is left alone", () => {
  const d = desired([image("a")], [provider("p1", ["a"]), provider("p2", ["a"])]);
  const builds = [
    build(1, NOW - 500, { state: "failed", uploads: [], builderId: OTHER }),
    build(2, NOW - 100, {
      uploads: [upload(1, "p1", NOW - 90, "failed"), upload(2, "p1", NOW - 80, "uploading"), upload(3, "p1", NOW - 70), upload(1, "p2", NOW - 60, "uploading")],
      uploadLocked: new Set(["p2"]),
    }),
    build(3, NOW - 50, { state: "building" }),
  ];
  const plan = planBuilder(d, observed([seen("a", builds)]), NOW);
  assert.deepEqual(lines(plan.actions), [
    "delete build a-0000000001 (files left to their builder): failed build",
    "delete upload 0000000001 of a-0000000002 from p1: failed upload",
    "remove upload record 0000000002 of a-0000000002 for p1: interrupted upload (uploading, its lock free)",
    "delete build a-0000000003: interrupted build (building, its lock free)",
  ]);
});

test("an image removed from the config: its local builds and their uploads are deleted; others' builds are not ours", () => {
  const d = desired([], [provider("p1", [])]);
  const builds = [build(1, NOW - 100, { uploads: [upload(1, "p1", NOW - 90)] }), build(2, NOW - 50, { local: false, builderId: OTHER })];
  const plan = planBuilder(d, observed([seen("gone", builds)]), NOW);
  assert.deepEqual(lines(plan.actions), [
    "delete upload 0000000001 of gone-0000000001 from p1: provider diskimages is empty",
    "delete build gone-0000000001: image removed from the config",
  ]);
  assert.deepEqual(planBuilder(d, observed([seen("gone", [builds[1]!])]), NOW).actions, []);
});

test("dib-image-delete: a build marked deleting loses all its uploads, then the record", () => {
  const d = desired([image("a")], [provider("p1", ["a"])]);
  const builds = [build(1, NOW - 100, { state: "deleting", uploads: [upload(1, "p1", NOW - 90)] })];
  const plan = planBuilder(d, observed([seen("a", builds)]), NOW);
  assert.deepEqual(lines(plan.actions), [
    "build a: no ready build",
    "delete upload 0000000001 of a-0000000001 from p1: build marked deleting",
    "delete build a-0000000001: build marked deleting",
  ]);
});
