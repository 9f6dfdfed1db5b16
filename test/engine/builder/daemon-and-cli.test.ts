import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { access, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { asBuildId } from "../../../engine/zk/ids.ts";
import { waitFor, zkForTest } from "../../helpers/zk.ts";
import { testDirs } from "./_builder.ts";

const root = new URL("../../../", import.meta.url).pathname;
const nodepool = join(root, "bin/nodepool");
const builderBin = join(root, "bin/nodepool-builder");

test("nodepool-builder builds with --fake, uploads, reports metrics; the image CLI commands act on its records", async (t) => {
  const { zk, hosts } = await zkForTest(t);
  const dirs = await testDirs(t);
  const slash = hosts.indexOf("/");
  const [host, port] = hosts.slice(0, slash).split(":");
  const chroot = hosts.slice(slash);

  const metrics: string[] = [];
  const udp = createSocket("udp4");
  udp.on("message", (msg) => metrics.push(...msg.toString().split("\n")));
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  t.after(() => udp.close());

  const cfg = join(dirs.dir, "nodepool.yaml");
  await writeFile(
    cfg,
    `zookeeper-servers:
  - {host: ${host}, port: ${port}, chroot: ${chroot}}
images-dir: ${dirs.imagesDir}
build-log-dir: ${dirs.logDir}
providers:
  - name: fake-provider
    driver: fake
    cloud: fake
    diskimages: [{name: fake-image}]
    pools: []
diskimages:
  - name: fake-image
    elements: [base]
  - name: paused-image
    pause: true
`,
  );
  const daemon = execa(builderBin, ["-c", cfg, "--fake", "-f"], {
    env: { STATSD_HOST: "127.0.0.1", STATSD_PORT: String(udp.address().port), NODEPOOL_LOG_LEVEL: "warn" },
    reject: false,
  });
  t.after(() => daemon.kill("SIGKILL"));

  const firstUpload = await waitFor("a ready upload", async () => (await zk.getMostRecentImageUpload("fake-image", "fake-provider")) ?? undefined, 30_000);
  assert.match(await readFile(join(dirs.imagesDir, "builder_id.txt"), "utf8"), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/);
  await waitFor("the builder's metrics", () => metrics.some((m) => m.startsWith("nodepool.image_update.fake-image.fake-provider:")) || undefined);
  const names = metrics.map((m) => m.replace(/:[\d.]+\|/, ":|"));
  for (const expected of [
    "nodepool.dib_image_build.fake-image.qcow2.size:|g",
    "nodepool.dib_image_build.fake-image.status.duration:|ms",
    "nodepool.dib_image_build.fake-image.status.rc:|g",
    "nodepool.dib_image_build.fake-image.status.last_build:|g",
    "nodepool.image_update.fake-image.fake-provider:|ms",
    "nodepool.image_update.fake-image.fake-provider:|c",
  ]) assert.ok(names.includes(expected), `${expected} in ${names.join(" ")}`);
  assert.ok(metrics.includes("nodepool.dib_image_build.fake-image.status.rc:0|g"));

  const cli = (...args: string[]) => execa(nodepool, ["-c", cfg, ...args], { reject: false });

  const paused = await cli("image-build", "paused-image");
  assert.notEqual(paused.exitCode, 0);
  assert.match(paused.stderr, /paused/);
  assert.equal(await zk.hasBuildRequest("paused-image"), false);
  const unknown = await cli("image-build", "no-such-image");
  assert.match(unknown.stderr, /non disk-image-builder image/);

  assert.equal((await cli("image-build", "fake-image")).exitCode, 0);
  const second = await waitFor("a second uploaded build", async () => {
    const newest = await zk.getMostRecentImageUpload("fake-image", "fake-provider");
    return newest && newest.buildId !== firstUpload.buildId ? newest : undefined;
  }, 30_000);
  await waitFor("the build request served", async () => !(await zk.hasBuildRequest("fake-image")));
  const list = JSON.parse((await cli("dib-image-list", "--json")).stdout) as { id: string; state: string }[];
  assert.deepEqual(list.map((r) => r.state), ["ready", "ready"]);

  const missing = await cli("image-delete", "--provider", "fake-provider", "--image", "fake-image", "--build-id", "0000000099", "--upload-id", "0000000001");
  assert.equal(missing.exitCode, 0);
  assert.equal(missing.stdout, "Image upload not found");

  // image-delete of the newest upload: the launcher's view falls back to the first build's upload, then it is uploaded again.
  const deleted = await cli("image-delete", "--provider", "fake-provider", "--image", "fake-image", "--build-id", second.buildId, "--upload-id", second.id ?? "");
  assert.equal(deleted.exitCode, 0);
  await waitFor("a re-upload of the second build", async () => {
    const newest = await zk.getMostRecentImageUpload("fake-image", "fake-provider");
    return newest && newest.buildId === second.buildId && newest.id !== second.id ? newest : undefined;
  }, 30_000);

  assert.equal((await cli("dib-image-delete", "fake-image-0000000099")).stdout, "Build fake-image-0000000099 not found");
  assert.equal((await cli("dib-image-delete", `fake-image-${firstUpload.buildId}`)).exitCode, 0);
  await waitFor("build 1 deleted with its files", async () => (await zk.getBuild("fake-image", asBuildId(firstUpload.buildId))) === null, 30_000);
  assert.equal((await readdir(dirs.imagesDir)).some((f) => f.startsWith(`fake-image-${firstUpload.buildId}.`)), false);

  const aliens = await cli("alien-image-list");
  assert.equal(aliens.exitCode, 0);
  assert.deepEqual(aliens.stdout.split("\n").filter((l) => l.startsWith("|")), ["| Provider | Name | Image ID |"]);

  daemon.kill("SIGINT");
  const ended = await daemon;
  assert.equal(ended.exitCode, 0);
  await access(join(dirs.logDir, `fake-image-${second.buildId}.log`));
});

test("nodepool-builder refuses to start without images-dir", async (t) => {
  const dirs = await testDirs(t);
  const cfg = join(dirs.dir, "nodepool.yaml");
  await writeFile(cfg, "zookeeper-servers: [{host: 127.0.0.1}]\ndiskimages: [{name: x}]\n");
  const run = await execa(builderBin, ["-c", cfg, "-f"], { reject: false });
  assert.equal(run.exitCode, 1);
  assert.match(run.stderr, /No images-dir specified/);
});
