/**
 * nodepool-image-create: the project's own small disk-image-create. It writes a real raw disk
 * holding an ext4 filesystem made from the elements' files, converts it with qemu-img to the
 * formats asked for, and writes checksum side files and a manifest directory, as
 * diskimage-builder does for the builder.
 *
 * An element is a directory named after it in one of the `ELEMENTS_PATH` directories; its
 * `root/` subdirectory is copied into the image's root. Every image also carries
 * `/etc/nodepool-image` naming the image, its release and elements.
 *
 * Test hooks of the reference's fake DIB, kept so the builder's failure paths can be driven:
 * while `<output dir>/fake-image-create.pause` exists the command waits; `SHOULD_FAIL=true`
 * makes it exit 127 after writing its files; `<output dir>/fake-image-create.done` is touched
 * at the end.
 */
import { createHash } from "node:crypto";
import { createReadStream, watch } from "node:fs";
import { access, cp, mkdir, mkdtemp, rm, stat, writeFile, readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { execa } from "execa";
import { NodepoolError } from "../errors.ts";

export type ImageFormat = "raw" | "qcow2" | "vhd" | "tar";
export const imageFormats: readonly ImageFormat[] = ["raw", "qcow2", "vhd", "tar"];

export interface ImageCreateRequest {
  /** Output path without extension: files are `<output>.<format>`. */
  output: string;
  formats: readonly ImageFormat[];
  elements: readonly string[];
  checksum: boolean;
  /** Extra `-o` options for qemu-img when writing qcow2 (e.g. `compat=0.10`). */
  qemuImgOptions?: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export class ImageCreateError extends NodepoolError {
  readonly code = "image-create.failed";
}

export class UnknownFormatError extends NodepoolError {
  readonly code = "image-create.unknown-format";
  override readonly exitCode = 1;
}

export function parseFormats(text: string): ImageFormat[] {
  const formats = text.split(",").filter((f) => f !== "");
  for (const format of formats) {
    if (!(imageFormats as readonly string[]).includes(format)) {
      throw new UnknownFormatError(`unknown image format "${format}"; supported: ${imageFormats.join(", ")}`);
    }
  }
  return formats as ImageFormat[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function findElement(name: string, elementsPath: string | undefined): Promise<string | undefined> {
  for (const dir of (elementsPath ?? "").split(":").filter((d) => d !== "")) {
    const candidate = join(dir, name);
    if (await exists(candidate)) return candidate;
  }
  return undefined;
}

/** Total bytes of regular files under a directory, to size the filesystem. */
async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function waitWhileExists(path: string, log: (line: string) => void): Promise<void> {
  if (!(await exists(path))) return;
  log(`paused: waiting for ${path} to be removed`);
  await new Promise<void>((resolve) => {
    const watcher = watch(dirname(path), () => {
      void exists(path).then((present) => {
        if (!present) {
          watcher.close();
          resolve();
        }
      });
    });
    // The file may have gone between the first check and the watch starting.
    void exists(path).then((present) => {
      if (!present) {
        watcher.close();
        resolve();
      }
    });
  });
}

async function digest(path: string, algorithm: "md5" | "sha256"): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const mebibyte = 1024 * 1024;

/** Builds the image; resolves with the exit status the command should end with. */
export async function createImage(request: ImageCreateRequest): Promise<number> {
  const { output, log } = request;
  const outDir = dirname(output);
  await mkdir(outDir, { recursive: true });
  await waitWhileExists(join(outDir, "fake-image-create.pause"), log);

  const work = await mkdtemp(join(outDir, `.${basename(output)}.work-`));
  try {
    const tree = join(work, "root");
    await mkdir(join(tree, "etc"), { recursive: true });
    const found: string[] = [];
    for (const element of request.elements) {
      const dir = await findElement(element, request.env.ELEMENTS_PATH);
      if (dir === undefined) {
        log(`element ${element}: not found in ELEMENTS_PATH, nothing copied`);
        continue;
      }
      found.push(element);
      if (await exists(join(dir, "root"))) await cp(join(dir, "root"), tree, { recursive: true });
      log(`element ${element}: ${dir}`);
    }
    const imageName = request.env.DIB_IMAGE_NAME ?? basename(output);
    await writeFile(
      join(tree, "etc", "nodepool-image"),
      `name=${imageName}\nrelease=${request.env.DIB_RELEASE ?? ""}\nelements=${request.elements.join(" ")}\n`,
    );

    const raw = join(work, "disk.raw");
    const sizeMiB = Math.max(8, Math.ceil(((await treeSize(tree)) * 1.3) / mebibyte) + 4);
    log(`mkfs.ext4: ${sizeMiB} MiB filesystem from ${found.length} element(s)`);
    await execa("mkfs.ext4", ["-q", "-F", "-L", "cloudimg-rootfs", "-d", tree, raw, `${sizeMiB}M`]);

    for (const format of request.formats) {
      const target = `${output}.${format}`;
      if (format === "raw") await cp(raw, target);
      else if (format === "tar") await execa("tar", ["-C", tree, "-cf", target, "."]);
      else {
        const options = format === "qcow2" && request.qemuImgOptions ? ["-o", request.qemuImgOptions] : [];
        const driver = format === "vhd" ? "vpc" : format;
        await execa("qemu-img", ["convert", "-f", "raw", "-O", driver, ...options, raw, target]);
      }
      log(`wrote ${target}`);
      if (request.checksum) {
        const name = basename(target);
        await writeFile(`${target}.md5`, `${await digest(target, "md5")}  ${name}\n`);
        await writeFile(`${target}.sha256`, `${await digest(target, "sha256")}  ${name}\n`);
      }
    }
    const manifest = `${output}.d`;
    await mkdir(join(manifest, "dib-manifests"), { recursive: true });
    await writeFile(join(manifest, "dib-manifests", "elements"), `${request.elements.join("\n")}\n`);
  } catch (error) {
    throw new ImageCreateError(`building ${output} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  await writeFile(join(outDir, "fake-image-create.done"), "");
  if (request.env.SHOULD_FAIL === "true") {
    log("SHOULD_FAIL=true: exiting 127");
    return 127;
  }
  return 0;
}
