import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { asBuildId } from "../../../engine/zk/ids.ts";
import { newBuild, newUpload, withBuildState } from "../../../engine/zk/records/image.ts";
import * as P from "../../../engine/zk/paths.ts";
import { expireSession, waitFor, zkForTest } from "../../helpers/zk.ts";
import { config, standard, startBuilder, testDirs } from "./_builder.ts";

const B1 = asBuildId("0000000001");
const OTHER_ID = "5b0f7c1e-2d3a-4f67-9a1b-0c2d3e4f5a6b";

const filesOf = async (dir: string, display: string): Promise<string[]> => (await readdir(dir).catch(() => [])).filter((f) => f.startsWith(`${display}.`));

test("two builders on one ZooKeeper: one build of an image at a time, and only its owner deletes a build's files", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const a = await testDirs(t);
  const b = { ...a, imagesDir: join(a.dir, "images-b"), logDir: join(a.dir, "logs-b") };
  const builderA = await startBuilder(t, zk, config(standard, a), a);
  const builderB = await startBuilder(t, await connectAnother(), config(standard, b), b, { builderId: OTHER_ID, hostname: "nb02" });

  await waitFor("a ready upload", async () => (await zk.getMostRecentImageUpload("fake-image", "fake-provider")) ?? undefined, 20_000);
  await Promise.all([builderA.settled(), builderB.settled()]);
  const builds = await zk.getBuilds("fake-image");
  assert.equal(builds.length, 1, "exactly one build was made");
  const [owner, other] = (await filesOf(a.imagesDir, "fake-image-0000000001")).length > 0 ? [a, b] : [b, a];
  assert.deepEqual(await filesOf(other.imagesDir, "fake-image-0000000001"), []);

  // The owner stops; the build is deleted by an operator: the other builder removes the uploads but leaves files and record.
  await (owner === a ? builderA : builderB).stop();
  await zk.storeBuild(withBuildState(builds[0]!, "deleting"));
  const survivor = owner === a ? builderB : builderA;
  await waitFor("the uploads deleted", async () => (await zk.getUploadIds("fake-image", B1, "fake-provider")).length === 0, 20_000);
  await survivor.settled();
  assert.equal((await zk.getBuild("fake-image", B1))?.state, "deleting");
  assert.ok((await filesOf(owner.imagesDir, "fake-image-0000000001")).length > 0);

  // The owner comes back and finishes the deletion.
  await startBuilder(t, await connectAnother(), config(standard, owner), owner, owner === a ? {} : { builderId: OTHER_ID, hostname: "nb02" });
  await waitFor("build 1 deleted by its owner", async () => (await zk.getBuild("fake-image", B1)) === null, 20_000);
  assert.deepEqual(await filesOf(owner.imagesDir, "fake-image-0000000001"), []);
});

test("a builder killed mid-build and mid-upload leaves records the next start cleans", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  const builderId = "0b7c9a1e-2d3a-4f67-9a1b-0c2d3e4f5a6b";
  // What the killed builder left: a ready build with an interrupted upload, and a newer build still `building`, its lock gone.
  const ready = await zk.storeBuild({ ...newBuild("fake-image", { builder: "nb01", builderId, formats: ["qcow2"], username: "zuul" }), state: "ready" });
  const readyId = ready.id!;
  await zk.storeUpload(newUpload("fake-image", readyId, "fake-provider", { username: "zuul" }));
  const dead = await zk.storeBuild(newBuild("fake-image", { builder: "nb01", builderId, formats: ["qcow2"] }));
  await mkdir(dirs.imagesDir, { recursive: true });
  for (const f of [`fake-image-${readyId}.qcow2`, `fake-image-${dead.id}.qcow2`]) await writeFile(join(dirs.imagesDir, f), "x");

  await startBuilder(t, zk, config(standard, dirs), dirs);
  await waitFor("the interrupted build removed", async () => (await zk.getBuild("fake-image", dead.id!)) === null, 20_000);
  assert.deepEqual(await filesOf(dirs.imagesDir, `fake-image-${dead.id}`), []);
  const uploads = await waitFor("the interrupted upload replaced by a ready one", async () => {
    const all = await zk.getUploads("fake-image", readyId, "fake-provider");
    return all.length === 1 && all[0]!.state === "ready" ? all : undefined;
  }, 20_000);
  assert.equal(uploads[0]!.id, "0000000002");
});

test("a build whose record vanished while it ran has its files removed by the builder itself", async (t) => {
  const { zk } = await zkForTest(t);
  const dirs = await testDirs(t);
  await mkdir(dirs.imagesDir, { recursive: true });
  const pause = join(dirs.imagesDir, "fake-image-create.pause");
  await writeFile(pause, "");
  const builder = await startBuilder(t, zk, config(standard, dirs), dirs, { cleanup: false });
  await waitFor("the build running", async () => (await zk.getBuild("fake-image", B1))?.state === "building", 20_000);
  await zk.client.deleteRecursive(P.buildPath("fake-image", B1));
  await rm(pause);
  await waitFor("the build's files removed", async () => (await readdir(dirs.imagesDir)).includes("fake-image-create.done") && (await filesOf(dirs.imagesDir, "fake-image-0000000001")).length === 0, 20_000);
  await builder.stop();
});

test("a build during which the builder's ZooKeeper session expired is recorded failed", async (t) => {
  const { zk, connectAnother } = await zkForTest(t);
  const dirs = await testDirs(t);
  await mkdir(dirs.imagesDir, { recursive: true });
  const pause = join(dirs.imagesDir, "fake-image-create.pause");
  await writeFile(pause, "");
  const own = await connectAnother();
  const builder = await startBuilder(t, own, config(standard, dirs), dirs, { cleanup: false });
  await waitFor("the build running", async () => (await zk.getBuild("fake-image", B1))?.state === "building", 20_000);
  await expireSession(own.client);
  await rm(pause);
  await waitFor("build 1 failed", async () => (await zk.getBuild("fake-image", B1))?.state === "failed", 20_000);
  await builder.stop();
});
