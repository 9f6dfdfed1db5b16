// Bundles the commands and the DSL runtime into dist/ so the bins start fast: no TS loader at run
// time, and the small pure-JS dependencies inlined, which halves a command's start-up (each
// package resolved and loaded from node_modules costs file-system round trips).
import { build } from "esbuild";
import { existsSync, readdirSync, rmSync } from "node:fs";

// Left to node_modules: native addons (zookeeper; ssh2 with its optional crypto binding), what loads itself by path (pino's worker-thread transports),
// and the large ones only some commands need, which are imported on demand.
const external = ["zookeeper", "ssh2", "undici", "typescript", "esbuild", "fastify", "pino", "thread-stream", "pino-*", "hot-shots", "unix-dgram"];

const bins = readdirSync("bin").filter((f) => f.endsWith(".ts")).map((f) => `bin/${f}`);
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: [...bins, ...["dsl/index.ts"].filter((f) => existsSync(f))],
  outdir: "dist",
  outbase: ".",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: "import { createRequire as __nodepoolRequire } from 'node:module'; const require = __nodepoolRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: "warning",
});
