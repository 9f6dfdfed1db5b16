import { test } from "node:test";
import assert from "node:assert/strict";
import { access, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fakeCloud } from "../../../engine/drivers/fake/cloud.ts";
import { asBuildId, asUploadId } from "../../../engine/zk/ids.ts";
import { withUploadState } from "../../../engine/zk/records/image.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, standard, startBuilder, testDirs } from "./_builder.ts";

const B1 = asBuildId("0000000001");

test("first build and upload: record, files, log without secrets, upload with meta, then image-delete falls back and re-uploads", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const builder = await startBuilder(t, zk, config(standard, dirs), dirs);

  const upload = await waitFor("a ready upload", async () => (await zk.getMostRecentImageUpload("fake-image", "fake-provider")) ?? undefined, 20_000);
  const build = await zk.getBuild("fake-image", B1);
  assert.equal(build?.state, "ready");
  assert.deepEqual(build?.formats, ["qcow2"]);
  assert.equal(build?.username, "zuul");
  assert.equal(build?.builderId, "0b7c9a1e-2d3a-4f67-9a1b-0c2d3e4f5a6b");
  assert.equal(upload.buildId, B1);
  assert.equal(upload.username, "zuul");
  assert.equal(upload.format, "qcow2");
  assert.match(upload.externalName ?? "", /^fake-image-\d+$/);
  await access(join(dirs.imagesDir, "fake-image-0000000001.qcow2"));
  await access(join(dirs.imagesDir, "fake-image-0000000001.qcow2.md5"));
  const log = await readFile(join(dirs.logDir, "fake-image-0000000001.log"), "utf8");
  assert.match(log, /Exit code: 0\n$/);
  assert.doesNotMatch(log, /hunter2-secret/);

  const cloudImage = fakeCloud("fake-provider").findImage(upload.externalId ?? "");
  assert.deepEqual(cloudImage?.properties, { key: "value", nodepool_build_id: "0000000001", nodepool_upload_id: upload.id });

  // image-delete of the newest upload: cleanup removes it from the cloud, and (not paused) it is uploaded again.
  await zk.storeUpload(withUploadState(upload, "deleting"));
  const again = await waitFor("a new upload", async () => {
    const newest = await zk.getMostRecentImageUpload("fake-image", "fake-provider");
    return newest && newest.id !== upload.id ? newest : undefined;
  });
  assert.equal(again.buildId, B1);
  await waitFor("the deleted upload gone", async () => (await zk.getUpload("fake-image", B1, "fake-provider", upload.id as ReturnType<typeof asUploadId>)) === null);
  assert.equal(fakeCloud("fake-provider").findImage(upload.externalId ?? ""), undefined);
  await builder.settled();
});

test("rebuild-age and rotation: a third build retires the first (upload, record, files) and log retention keeps one old log", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  await startBuilder(t, zk, config(standard.replace("release: 21", "release: 21\n    rebuild-age: 3600"), dirs), dirs);
  const age = async (id: string, seconds: number): Promise<void> => {
    const build = await zk.getBuild("fake-image", asBuildId(id));
    assert.ok(build);
    await zk.storeBuild({ ...build, stateTime: build.stateTime - seconds });
  };
  const readyUploadOf = (id: string) => async () => (await zk.getUploads("fake-image", asBuildId(id), "fake-provider", ["ready"]))[0];

  await waitFor("build 1 uploaded", readyUploadOf("0000000001"), 20_000);
  await age("0000000001", 7200);
  const b2 = await waitFor("a second ready build uploaded", async () => {
    const builds = await zk.getBuilds("fake-image", ["ready"]);
    const newest = builds.at(-1);
    return builds.length === 2 && newest?.id && (await readyUploadOf(newest.id)()) ? newest.id : undefined;
  }, 20_000);
  await age("0000000001", 3600);
  await age(b2, 3600);
  const b3 = await waitFor("a third build uploaded", async () => {
    const builds = await zk.getBuilds("fake-image", ["ready"]);
    const newest = builds.at(-1);
    return newest?.id && newest.id !== b2 && (await readyUploadOf(newest.id)()) ? newest.id : undefined;
  }, 20_000);
  await waitFor("build 1 deleted", async () => (await zk.getBuild("fake-image", B1)) === null, 20_000);
  assert.deepEqual((await zk.getBuilds("fake-image", ["ready"])).map((b) => b.id), [b2, b3]);
  const files = await readdir(dirs.imagesDir);
  assert.equal(files.some((f) => f.startsWith("fake-image-0000000001.")), false);
  assert.deepEqual((await readdir(dirs.logDir)).sort(), [`fake-image-${b2}.log`, `fake-image-${b3}.log`]);
});

test("a failing build is recorded failed with its exit code, retried, and cleaned once the config is fixed", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const failing = config(standard.replace("TMPDIR: /tmp", "TMPDIR: /tmp\n      SHOULD_FAIL: 'true'"), dirs);
  const builder = await startBuilder(t, zk, failing, dirs, { cleanup: false });
  await waitFor("two failed builds (retried)", async () => (await zk.getBuilds("fake-image", ["failed"])).length >= 2 || undefined, 20_000);
  const log = await readFile(join(dirs.logDir, "fake-image-0000000001.log"), "utf8");
  assert.match(log, /Exit code: 127\n$/);
  await builder.reconfigure(config(standard, dirs));
  await waitFor("a ready build", async () => (await zk.getBuilds("fake-image", ["ready"]))[0], 20_000);
  await builder.stop();
  const cleaning = await startBuilder(t, zk, config(standard, dirs), dirs);
  await waitFor("failed builds cleaned", async () => (await zk.getBuilds("fake-image", ["failed"])).length === 0, 20_000);
  await cleaning.settled();
});

test("build-timeout kills the image command and fails the build; paused images are not built", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const { writeFile, mkdir } = await import("node:fs/promises");
  await mkdir(dirs.imagesDir, { recursive: true });
  await writeFile(join(dirs.imagesDir, "fake-image-create.pause"), "");
  const yaml = `${standard.replace("release: 21", "release: 21\n    build-timeout: 1")}  - name: paused-image\n    pause: true\n`;
  const builder = await startBuilder(t, zk, config(yaml, dirs), dirs, { cleanup: false });
  await waitFor("a failed build", async () => (await zk.getBuild("fake-image", B1))?.state === "failed", 20_000);
  const log = await readFile(join(dirs.logDir, "fake-image-0000000001.log"), "utf8");
  assert.match(log, /timed out/);
  assert.doesNotMatch(log, /Exit code/);
  assert.deepEqual(await zk.getBuildIds("paused-image"), []);
  await builder.stop();
});

test("provider diskimages emptied: its uploads and cloud images go, the other provider's stay", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const two = `${standard.replace("providers:\n", "providers:\n  - name: fake-provider2\n    driver: fake\n    cloud: fake\n    diskimages: [{name: fake-image}]\n    pools: []\n")}`;
  const builder = await startBuilder(t, zk, config(two, dirs), dirs);
  const first = await waitFor("uploads to both", async () => {
    const [a, b] = await Promise.all([zk.getMostRecentImageUpload("fake-image", "fake-provider"), zk.getMostRecentImageUpload("fake-image", "fake-provider2")]);
    return a && b ? { a, b } : undefined;
  }, 20_000);
  await builder.reconfigure(config(two.replace("diskimages: [{name: fake-image}]", "diskimages: []"), dirs));
  await waitFor("provider 2 uploads gone", async () => (await zk.getUploads("fake-image", B1, "fake-provider2")).length === 0);
  assert.equal(fakeCloud("fake-provider2").findImage(first.b.externalId ?? ""), undefined);
  assert.equal((await zk.getMostRecentImageUpload("fake-image", "fake-provider"))?.id, first.a.id);
});
