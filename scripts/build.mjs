// Bundles the commands and the DSL runtime into dist/ so the bins start fast (no TS loader at run time).
import { build } from "esbuild";
import { existsSync, readdirSync } from "node:fs";

const bins = readdirSync("bin").filter((f) => f.endsWith(".ts")).map((f) => `bin/${f}`);
await build({
  entryPoints: [...bins, ...["dsl/index.ts"].filter((f) => existsSync(f))],
  outdir: "dist",
  outbase: ".",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
