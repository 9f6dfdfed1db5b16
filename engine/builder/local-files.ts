/**
 * A builder's own files in `images-dir` (behaviour.md §4.3, §4.6 "Local file removal"): the
 * image files `<image>-<build-id>.<format>`, their `.md5`/`.sha256` side files and the manifest
 * directory `<image>-<build-id>.d`; and the builder's identity, `builder_id.txt`.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NodepoolError } from "../errors.ts";

export const BUILDER_ID_FILE = "builder_id.txt";
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export class BuilderIdError extends NodepoolError {
  readonly code = "builder.bad-builder-id";
}

/** Reads `<images-dir>/builder_id.txt`, creating it with a fresh UUID4 on first start. */
export async function readOrCreateBuilderId(imagesDir: string): Promise<string> {
  const path = join(imagesDir, BUILDER_ID_FILE);
  try {
    const id = (await readFile(path, "utf8")).trim();
    if (!UUID4.test(id)) throw new BuilderIdError(`${path} does not hold a UUID (got "${id}"); remove it to let the builder create a new identity`);
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(imagesDir, { recursive: true });
  const id = randomUUID();
  await writeFile(path, `${id}\n`, { flag: "wx" }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === "EEXIST") return;
    throw error;
  });
  return (await readFile(path, "utf8")).trim();
}

/** Reads the builder id if this images-dir has one (the CLI's view), else null. */
export async function readBuilderId(imagesDir: string): Promise<string | null> {
  try {
    return (await readFile(join(imagesDir, BUILDER_ID_FILE), "utf8")).trim();
  } catch {
    return null;
  }
}

const FILE = /^(.+-\d{10})\.(.+)$/;

/** Display names (`<image>-<build-id>`) of the builds with files in the directory (logs excluded). */
export async function localBuilds(imagesDir: string): Promise<Set<string>> {
  let names: string[];
  try {
    names = await readdir(imagesDir);
  } catch {
    return new Set();
  }
  const builds = new Set<string>();
  for (const name of names) {
    const match = FILE.exec(name);
    if (match && match[2] !== "log") builds.add(match[1]!);
  }
  return builds;
}

/** Deletes every file and directory of one build; missing ones are fine. */
export async function deleteLocalBuild(imagesDir: string, displayName: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(imagesDir);
  } catch {
    return [];
  }
  const removed = names.filter((n) => n.startsWith(`${displayName}.`) && !n.endsWith(".log"));
  for (const name of removed) await rm(join(imagesDir, name), { recursive: true, force: true });
  return removed;
}
