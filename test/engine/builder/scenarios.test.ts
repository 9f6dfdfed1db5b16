import { test } from "node:test";
import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { fakeCloud } from "../../../engine/drivers/fake/cloud.ts";
import { asBuildId } from "../../../engine/zk/ids.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, standard, startBuilder, testDirs } from "./_builder.ts";

const B1 = asBuildId("0000000001");

test("a failed upload is recorded failed and retried until one is ready", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  fakeCloud("fake-provider").failUploads = 1;
  const builder = await startBuilder(t, zk, config(standard, dirs), dirs, { cleanup: false });
  await waitFor("a ready upload", async () => (await zk.getMostRecentImageUpload("fake-image", "fake-provider")) ?? undefined, 20_000);
  await builder.settled();
  const states = (await zk.getUploads("fake-image", B1, "fake-provider")).map((u) => u.state);
  assert.deepEqual(states, ["failed", "ready"]);
  const failed = (await zk.getUploads("fake-image", B1, "fake-provider", ["failed"]))[0];
  assert.equal(failed?.username, null);
  assert.equal(failed?.externalId, null);
});

test("a vhd provider makes the image build as vhd and receive the vhd file; a paused provider image is not uploaded", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const yaml = `
images-dir: {images}
build-log-dir: {logs}
providers:
  - name: vhd-provider
    driver: fake
    cloud: fake-vhd
    diskimages: [{name: vhd-image}, {name: held-image, pause: true}]
    pools: []
diskimages:
  - name: vhd-image
  - name: held-image
`;
  const builder = await startBuilder(t, zk, config(yaml, dirs), dirs);
  const upload = await waitFor("the vhd upload", async () => (await zk.getMostRecentImageUpload("vhd-image", "vhd-provider")) ?? undefined, 20_000);
  assert.equal(upload.format, "vhd");
  assert.deepEqual((await zk.getBuild("vhd-image", B1))?.formats, ["vhd"]);
  await access(join(dirs.imagesDir, "vhd-image-0000000001.vhd"));
  await waitFor("the paused image built", async () => (await zk.getBuild("held-image", B1))?.state === "ready", 20_000);
  await builder.settled();
  assert.deepEqual(await zk.getUploadIds("held-image", B1, "vhd-provider"), []);
});

test("an image added to the config is built and uploaded; removed again, its upload, record and files go", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const builder = await startBuilder(t, zk, config(standard, dirs), dirs);
  await waitFor("fake-image uploaded", async () => (await zk.getMostRecentImageUpload("fake-image", "fake-provider")) ?? undefined, 20_000);
  const withSecond = standard
    .replace("        meta: {key: value}\n", "        meta: {key: value}\n      - name: fake-image2\n")
    .concat("  - name: fake-image2\n    elements: [base]\n");
  await builder.reconfigure(config(withSecond, dirs));
  const upload = await waitFor("fake-image2 uploaded", async () => (await zk.getMostRecentImageUpload("fake-image2", "fake-provider")) ?? undefined, 20_000);
  await builder.reconfigure(config(standard, dirs));
  await waitFor("fake-image2 build deleted", async () => (await zk.getBuild("fake-image2", B1)) === null, 20_000);
  assert.equal(fakeCloud("fake-provider").findImage(upload.externalId ?? ""), undefined);
  await assert.rejects(access(join(dirs.imagesDir, "fake-image2-0000000001.qcow2")));
  assert.ok(await zk.getMostRecentImageUpload("fake-image", "fake-provider"));
});
