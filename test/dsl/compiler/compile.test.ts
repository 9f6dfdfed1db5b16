/**
 * Compiling `nodepool.config.ts` files: imports (local modules, npm packages, `nodepool/dsl` with no
 * package.json), function exports, secrets, and every error pointing at the `.ts` line that caused it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { formatDiagnostic, type Diagnostic } from "../../../schema/index.ts";
import { compileToYaml, readConfigTs } from "../../../dsl/compiler/index.ts";
import { writeFiles } from "../../helpers/files.ts";

const provider = `{
      name: "cloud1",
      cloud: "mycloud",
      diskimages: [{ name: ubuntu.name }],
      pools: [{ name: "main", labels: [{ name: small.name, diskimage: ubuntu.name, "min-ram": 2048 }] }],
    }`;

function config(body: { before?: string; labels?: string; providers?: string; extraImport?: string }): string {
  return [
    `import { defineConfig, diskimage, label, secret } from "nodepool/dsl";`,
    body.extraImport ?? "",
    `const ubuntu = diskimage({ name: "ubuntu" });`,
    `const small = label({ name: "small", "min-ready": 1 });`,
    body.before ?? "",
    `export default defineConfig({`,
    `  labels: ${body.labels ?? "[small]"},`,
    `  providers: ${body.providers ?? `[${provider}]`},`,
    `  diskimages: [ubuntu],`,
    `});`,
    "",
  ].join("\n");
}

/** Line (1-based) of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `${needle} not in the config`);
  return index + 1;
}

function errors(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error");
}

async function compileErrors(t: import("node:test").TestContext, files: Record<string, string>): Promise<{ dir: string; errors: Diagnostic[] }> {
  const dir = writeFiles(t, files);
  const { result } = await readConfigTs(join(dir, "nodepool.config.ts"), { typecheck: false });
  assert.equal(result.ok, false, "expected an invalid config");
  return { dir, errors: errors(result.diagnostics) };
}

test("a config imports local modules and npm packages, and may export an async function", async (t) => {
  const dir = writeFiles(t, {
    "regions.ts": `import { readFileSync } from "node:fs";\nexport const regions: string[] = JSON.parse(readFileSync(new URL("./regions.json", import.meta.url), "utf8"));\n`,
    "regions.json": `["r1", "r2"]\n`,
    // A CommonJS package that requires a Node built-in: bundled into the ES module the compiler runs.
    "node_modules/zone-names/package.json": `{ "name": "zone-names", "version": "1.0.0", "main": "index.js" }\n`,
    "node_modules/zone-names/index.js": `const path = require("node:path");\nexports.zone = (r) => path.posix.join("zones", r);\n`,
    "nodepool.config.ts": config({
      extraImport: `import { regions } from "./regions.ts";\nimport { zone } from "zone-names";`,
      providers: `await Promise.resolve(regions.map((r) => ({ name: "cloud-" + r, cloud: "c", "region-name": zone(r) })))`,
    }).replace("export default defineConfig({", "export default async () => defineConfig({"),
  });
  const { result, compilation } = await readConfigTs(join(dir, "nodepool.config.ts"), { typecheck: false });
  assert.ok(result.ok, result.diagnostics.map(formatDiagnostic).join("\n"));
  assert.deepEqual(
    result.config.providers.map((p) => [p.name, "region-name" in p ? p["region-name"] : undefined]),
    [["cloud-r1", "zones/r1"], ["cloud-r2", "zones/r2"]],
  );
  const local = compilation?.inputs.filter((input) => input.startsWith(dir)).map((input) => input.slice(dir.length + 1));
  assert.deepEqual(local?.sort(), [
    "node_modules/zone-names/index.js",
    "nodepool.config.ts",
    "regions.ts",
  ]);
});

test("a schema error points at the key in the .ts file", async (t) => {
  const text = config({ labels: `[small, { name: "big", "min-readdy": 2 }]` });
  const { errors: found } = await compileErrors(t, { "nodepool.config.ts": text });
  assert.equal(found.length, 1, found.map(formatDiagnostic).join("\n"));
  const [error] = found;
  assert.equal(error?.code, "schema.unknown-key");
  assert.equal(error?.path, "labels[1].min-readdy");
  assert.equal(error?.line, lineOf(text, "min-readdy"));
  assert.ok(error?.file.endsWith("nodepool.config.ts"));
});

test("an error in a value made by a helper in another module points at that module's line", async (t) => {
  const labels = `import { label } from "nodepool/dsl";\n\nexport const big = label({ name: "big", "min-ready": "two" as unknown as number });\n`;
  const text = config({ extraImport: `import { big } from "./labels.ts";`, labels: "[small, big]" });
  const { errors: found } = await compileErrors(t, { "labels.ts": labels, "nodepool.config.ts": text });
  assert.deepEqual(
    found.map((e) => [e.code, e.path, e.file.endsWith("labels.ts"), e.line]),
    [["schema.type", "labels[1].min-ready", true, 3]],
  );
});

test("an error inside a provider generated in a loop points at the line in the callback", async (t) => {
  const text = config({
    before: `const regions = ["r1", "r2"];`,
    providers: `regions.map((region) => ({\n    name: region,\n    cloud: "c",\n    "boot-timeout": region === "r2" ? "slow" as unknown as number : 60,\n  }))`,
  });
  const { errors: found } = await compileErrors(t, { "nodepool.config.ts": text });
  assert.deepEqual(
    found.map((e) => [e.code, e.path, e.line]),
    [["schema.type", "providers[1].boot-timeout", lineOf(text, '"boot-timeout"')]],
  );
});

test("a dangling reference is reported at the pool label that makes it", async (t) => {
  const text = config({ labels: "[]" });
  const { errors: found } = await compileErrors(t, { "nodepool.config.ts": text });
  assert.deepEqual(
    found.map((e) => [e.code.startsWith("ref."), e.path, e.line]),
    [[true, "providers[0].pools[0].labels[0].name", lineOf(text, "min-ram")]],
  );
});

test("a config that throws, exports a function value or has a syntax error gets a positioned error, no stack", async (t) => {
  const throwing = config({ before: `function region(): string {\n  throw new Error("no region configured");\n}`, providers: `[{ name: region(), cloud: "c" }]` });
  const thrown = await compileErrors(t, { "nodepool.config.ts": throwing });
  assert.deepEqual(
    thrown.errors.map((e) => [e.code, e.line, e.message]),
    [["dsl.evaluate", lineOf(throwing, "throw new Error"), "evaluating the config failed: no region configured"]],
  );

  const fn = config({ labels: `[small, { name: "big", "min-ready": (() => 1) as never }]` });
  const value = await compileErrors(t, { "nodepool.config.ts": fn });
  assert.deepEqual(
    value.errors.map((e) => [e.code, e.path, e.line]),
    [["dsl.value", "labels[1].min-ready", lineOf(fn, "() => 1")]],
  );

  const broken = `import { defineConfig } from "nodepool/dsl";\nexport default defineConfig({ labels: [ });\n`;
  const syntax = await compileErrors(t, { "nodepool.config.ts": broken });
  assert.deepEqual(syntax.errors.map((e) => [e.code, e.line]), [["ts.syntax", 2]]);
  assert.ok(syntax.errors.every((e) => !e.message.includes("    at ")));

  const empty = await compileErrors(t, { "nodepool.config.ts": `export const x = 1;\n` });
  assert.match(empty.errors[0]?.message ?? "", /no default export/);

  const exiting = await compileErrors(t, { "nodepool.config.ts": `process.exit(3);\nexport default {};\n` });
  assert.match(exiting.errors[0]?.message ?? "", /exit 3.*process\.exit/);
});

test("type errors are reported as file:line:col unless the type-check is skipped", async (t) => {
  const text = config({ before: `const timeout: number = "60" as string as never;\nconst small2 = label({ name: "small2", "min-ready": "1" });` });
  const dir = writeFiles(t, { "nodepool.config.ts": text });
  const file = join(dir, "nodepool.config.ts");
  const checked = await readConfigTs(file, { typecheck: true });
  assert.equal(checked.result.ok, false);
  assert.deepEqual(
    checked.result.diagnostics.map((d) => [d.code, d.line]),
    [["ts.type", lineOf(text, '"min-ready": "1"')]],
  );
  assert.match(checked.result.diagnostics[0]?.message ?? "", /^TS2322: /);
  const skipped = await readConfigTs(file, { typecheck: false });
  assert.ok(skipped.result.ok, skipped.result.diagnostics.map(formatDiagnostic).join("\n"));
});

test("secret() values stay out of the YAML and must be supplied by the secure file", async (t) => {
  const text = config({}).replace(`diskimage({ name: "ubuntu" })`, `diskimage({ name: "ubuntu", "env-vars": { MIRROR: "http://m", TOKEN: secret() } })`);
  const dir = writeFiles(t, {
    "nodepool.config.ts": text,
    "secure.conf": "diskimages:\n  - name: ubuntu\n    env-vars:\n      TOKEN: s3cret\n",
    "empty-secure.conf": "zookeeper-servers:\n  - host: zk1\n",
  });
  const file = join(dir, "nodepool.config.ts");
  const compiled = await compileToYaml(file, { typecheck: false });
  assert.ok(compiled.yaml !== undefined);
  assert.doesNotMatch(compiled.yaml, /TOKEN:/);
  assert.match(compiled.yaml, /^# {3}ubuntu: TOKEN$/m);
  assert.match(compiled.yaml, /MIRROR: http:\/\/m/);

  const merged = await readConfigTs(file, { typecheck: false, securePath: join(dir, "secure.conf") });
  assert.ok(merged.result.ok, merged.result.diagnostics.map(formatDiagnostic).join("\n"));
  assert.deepEqual(merged.result.config.diskimages[0]?.["env-vars"], { MIRROR: "http://m", TOKEN: "s3cret" });

  const missing = await readConfigTs(file, { typecheck: false, securePath: join(dir, "empty-secure.conf") });
  assert.equal(missing.result.ok, false);
  assert.deepEqual(
    errors(missing.result.diagnostics).map((e) => [e.code, e.path, e.line]),
    [["secure.missing-secret", "diskimages[0].env-vars.TOKEN", lineOf(text, "TOKEN")]],
  );
});

test("secret() anywhere but a diskimage env-var is an error", async (t) => {
  const text = config({ providers: `[{ name: "c1", cloud: secret() }]` });
  const { errors: found } = await compileErrors(t, { "nodepool.config.ts": text });
  assert.ok(found.some((e) => e.code === "dsl.secret-misplaced" && e.path === "providers[0].cloud" && e.line === lineOf(text, "cloud: secret()")));
});

test("errors in values built by local functions point inside those functions", async (t) => {
  const text = config({
    before: [
      `function pool(zone: string) {`,
      `  return { name: "pool-" + zone, "max-servers": zone === "b" ? ("ten" as unknown as number) : 10 };`,
      `}`,
      `const provider = (region: string) => ({ name: region, cloud: "c", pools: [pool("a"), pool("b")] });`,
    ].join("\n"),
    providers: `["r1", "r2"].map(provider)`,
  });
  const { errors: found } = await compileErrors(t, { "nodepool.config.ts": text });
  assert.deepEqual(
    found.map((e) => [e.code, e.path, e.line]),
    [
      ["schema.type", "providers[0].pools[1].max-servers", lineOf(text, '"max-servers"')],
      ["schema.type", "providers[1].pools[1].max-servers", lineOf(text, '"max-servers"')],
    ],
  );
});

test("keys the reference validator rejects are never emitted: ssh-port, AWS host-key-checking", async (t) => {
  const text = config({
    providers: [
      `[`,
      `    { name: "rack", driver: "static", pools: [{ name: "m", nodes: [{ name: "h1", labels: [small.name], "ssh-port": 2222 } as never] }] },`,
      `    { name: "ec2", driver: "aws", "region-name": "us-east-1", pools: [{ name: "m", "host-key-checking": false, labels: [] } as never] },`,
      `  ]`,
    ].join("\n"),
  });
  const { errors: found } = await compileErrors(t, { "nodepool.config.ts": text });
  assert.deepEqual(
    found.filter((e) => e.code === "dsl.not-canonical").map((e) => [e.path, e.line]),
    [
      ["providers[0].pools[0].nodes[0].ssh-port", lineOf(text, '"ssh-port"')],
      ["providers[1].pools[0].host-key-checking", lineOf(text, '"host-key-checking"')],
    ],
  );
});

test("items of a list built with spreads are found before, inside and after the spread", async (t) => {
  const text = config({
    before: `const hosts = ["h1", "h2"];`,
    providers: [
      `[{ name: "rack", driver: "static", pools: [{ name: "m", nodes: [`,
      `    { name: "first", labels: [small.name], timeout: "5" as unknown as number },`,
      `    ...hosts.map((host) => ({ name: host, labels: [small.name], "max-parallel-jobs": host === "h2" ? ("2" as unknown as number) : 1 })),`,
      `    { name: "last", labels: [small.name], username: 7 as unknown as string },`,
      `  ] }] }]`,
    ].join("\n"),
  });
  const { errors: found } = await compileErrors(t, { "nodepool.config.ts": text });
  assert.deepEqual(
    found.map((e) => [e.path, e.line]),
    [
      ["providers[0].pools[0].nodes[0].timeout", lineOf(text, "first")],
      ["providers[0].pools[0].nodes[2].max-parallel-jobs", lineOf(text, "hosts.map")],
      ["providers[0].pools[0].nodes[3].username", lineOf(text, "last")],
    ],
  );
});
