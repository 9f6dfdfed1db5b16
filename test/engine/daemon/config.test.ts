import assert from "node:assert/strict";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { pino } from "pino";
import { DaemonConfig, InvalidConfigError, type LoadedConfig } from "../../../engine/daemon/config.ts";
import { waitFor } from "../../helpers/zk.ts";

interface Line {
  level: number;
  msg: string;
}

function capturingLogger(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { log: pino({ level: "info" }, { write: (text: string) => void lines.push(JSON.parse(text) as Line) }), lines };
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "daemon-config-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Replaces the file the way editors do: a new file renamed over the old one. */
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

const labelsYaml = (names: string[]): string => `labels:\n${names.map((n) => `  - name: ${n}\n`).join("")}`;

/** Starts watching; returns the configs applied so far. */
function watched(t: TestContext, config: DaemonConfig): LoadedConfig[] {
  const applied: LoadedConfig[] = [];
  config.watch(async (loaded) => void applied.push(loaded));
  t.after(() => config.close());
  return applied;
}

test("a config that does not validate at start refuses the start with every error logged", async (t) => {
  const path = join(await tempDir(t), "nodepool.yaml");
  await writeFile(path, "labels:\n  - name: a\n    min-ready: lots\nproviders: [{name: p, driver: nosuchdriver}]\n");
  const { log, lines } = capturingLogger();
  await assert.rejects(DaemonConfig.load({ configPath: path }, log), InvalidConfigError);
  const errors = lines.filter((l) => l.level === 50).map((l) => l.msg);
  assert.ok(errors.length >= 2, errors.join("\n"));
  assert.ok(errors.every((m) => m.startsWith(`${path}:`)), errors.join("\n"));
});

test("a changed YAML file is applied; a broken one is refused with its errors and the last good kept", async (t) => {
  const path = join(await tempDir(t), "nodepool.yaml");
  await writeFile(path, labelsYaml(["a"]));
  const { log, lines } = capturingLogger();
  const config = await DaemonConfig.load({ configPath: path }, log);
  const applied = watched(t, config);
  await replaceFile(path, labelsYaml(["a", "b"]));
  await waitFor("the change applied", () => applied.length === 1);
  assert.deepEqual(config.current.config.labels.map((l) => l.name), ["a", "b"]);

  await replaceFile(path, "labels:\n  - name: a\n    min-ready: lots\n");
  await waitFor("the refusal logged", () => lines.some((l) => l.msg.includes("config change refused")));
  assert.ok(lines.some((l) => l.level === 50 && l.msg.startsWith(`${path}:3:`) && l.msg.includes("min-ready")), JSON.stringify(lines));
  assert.equal(applied.length, 1);
  assert.deepEqual(config.current.config.labels.map((l) => l.name), ["a", "b"]);

  // Saving the same content again changes nothing that runs.
  await replaceFile(path, labelsYaml(["a", "b"]));
  assert.equal(await config.reload(), true);
  assert.equal(applied.length, 1);
});

test("the secure file is watched too", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "nodepool.yaml");
  const securePath = join(dir, "secure.conf");
  await writeFile(path, "labels: [{name: a}]\nzookeeper-servers: [{host: zk1}]\n");
  await writeFile(securePath, "zookeeper-servers: [{host: zk2}]\n");
  const config = await DaemonConfig.load({ configPath: path, securePath }, capturingLogger().log);
  const applied = watched(t, config);
  assert.equal(config.current.config["zookeeper-servers"][0]?.host, "zk2");
  await replaceFile(securePath, "zookeeper-servers: [{host: zk3}]\n");
  await waitFor("the secure change applied", () => applied.length === 1);
  assert.equal(config.current.config["zookeeper-servers"][0]?.host, "zk3");
});

test("a .config.ts is reloaded when a module it imports changes, also after that module failed to compile", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "nodepool.config.ts");
  const module = join(dir, "labels.ts");
  await writeFile(module, `export const names = ["a"];\n`);
  await writeFile(
    path,
    `import { defineConfig } from "nodepool/dsl";\nimport { names } from "./labels.ts";\nexport default defineConfig({ labels: names.map((name) => ({ name })) });\n`,
  );
  const { log, lines } = capturingLogger();
  const config = await DaemonConfig.load({ configPath: path }, log);
  const applied = watched(t, config);
  assert.deepEqual(config.current.config.labels.map((l) => l.name), ["a"]);
  await replaceFile(module, `export const names = ["a", "b"];\n`);
  await waitFor("the imported module's change applied", () => applied.length === 1, 20_000);
  assert.deepEqual(config.current.config.labels.map((l) => l.name), ["a", "b"]);

  await replaceFile(module, `export const names = ["a", "b";\n`);
  await waitFor("the syntax error refused", () => lines.some((l) => l.msg.includes("config change refused")), 20_000);
  assert.deepEqual(config.current.config.labels.map((l) => l.name), ["a", "b"]);
  await replaceFile(module, `export const names = ["c"];\n`);
  await waitFor("the fixed module applied", () => applied.length === 2, 20_000);
  assert.deepEqual(config.current.config.labels.map((l) => l.name), ["c"]);
});
