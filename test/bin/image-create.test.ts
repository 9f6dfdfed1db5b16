import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

const bin = new URL("../../bin/nodepool-image-create", import.meta.url).pathname;

async function workspace(): Promise<{ dir: string; elements: string }> {
  const dir = await mkdtemp(join(tmpdir(), "image-create-"));
  const elements = join(dir, "elements");
  await mkdir(join(elements, "base", "root", "etc"), { recursive: true });
  await writeFile(join(elements, "base", "root", "etc", "motd"), "built by nodepool-image-create\n");
  return { dir, elements };
}

test("writes qcow2 and vhd images of an ext4 filesystem holding the elements' files, with checksums", async (t) => {
  const { dir, elements } = await workspace();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, "images", "demo-0000000001");
  const args = ["-x", "-t", "qcow2,vhd", "--checksum", "--no-tmpfs", "--qemu-img-options", "compat=0.10", "-o", out, "base"];
  const run = await execa(bin, args, { env: { ELEMENTS_PATH: elements, DIB_RELEASE: "21", DIB_IMAGE_NAME: "demo" } });
  assert.equal(run.exitCode, 0);

  const qcow2 = JSON.parse((await execa("qemu-img", ["info", "--output=json", `${out}.qcow2`])).stdout) as {
    format: string;
    "format-specific": { data: { compat: string } };
  };
  assert.equal(qcow2.format, "qcow2");
  assert.equal(qcow2["format-specific"].data.compat, "0.10");
  const vhd = JSON.parse((await execa("qemu-img", ["info", "--output=json", `${out}.vhd`])).stdout) as { format: string };
  assert.equal(vhd.format, "vpc");

  await execa("qemu-img", ["convert", "-O", "raw", `${out}.qcow2`, join(dir, "check.raw")]);
  const motd = await execa("debugfs", ["-R", "cat /etc/motd", join(dir, "check.raw")]);
  assert.equal(motd.stdout, "built by nodepool-image-create");
  const meta = await execa("debugfs", ["-R", "cat /etc/nodepool-image", join(dir, "check.raw")]);
  assert.match(meta.stdout, /name=demo\nrelease=21\nelements=base/);

  const image = await readFile(`${out}.qcow2`);
  assert.equal((await readFile(`${out}.qcow2.md5`, "utf8")).slice(0, 32), createHash("md5").update(image).digest("hex"));
  assert.equal((await readFile(`${out}.qcow2.sha256`, "utf8")).slice(0, 64), createHash("sha256").update(image).digest("hex"));
  assert.deepEqual((await readdir(`${out}.d`)).sort(), ["dib-manifests"]);
});

test("SHOULD_FAIL=true exits 127 after writing the files", async (t) => {
  const { dir, elements } = await workspace();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, "img-0000000002");
  const run = await execa(bin, ["-t", "raw", "-o", out, "base"], { env: { ELEMENTS_PATH: elements, SHOULD_FAIL: "true" }, reject: false });
  assert.equal(run.exitCode, 127);
  await access(`${out}.raw`);
});

test("waits while the pause file exists", async (t) => {
  const { dir, elements } = await workspace();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pause = join(dir, "fake-image-create.pause");
  await writeFile(pause, "");
  const child = execa(bin, ["-t", "tar", "-o", join(dir, "img-0000000003"), "base"], { env: { ELEMENTS_PATH: elements } });
  let ended = false;
  void child.finally(() => {
    ended = true;
  });
  await new Promise<void>((resolve) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes("paused:")) resolve();
    });
  });
  assert.equal(ended, false, "the command must wait while the pause file exists");
  await rm(pause);
  const run = await child;
  assert.equal(run.exitCode, 0);
  await access(join(dir, "fake-image-create.done"));
});

test("an unknown format is refused with exit status 1", async () => {
  const run = await execa(bin, ["-t", "iso", "-o", "/tmp/never"], { reject: false });
  assert.equal(run.exitCode, 1);
  assert.match(run.stderr, /unknown image format "iso"/);
});
