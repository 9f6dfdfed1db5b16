/**
 * Benchmark: compile the `.ts` form of a 50-provider, 500-label config to canonical YAML without
 * type-checking (target < 1 s): bundle, evaluate in a worker, validate, emit. The `.ts` form is what
 * `nodepool convert` makes of the generated config (500 label handles, 20 diskimage handles).
 * Also reports one type-checked compile and the whole `bin/nodepool compile --no-typecheck` command.
 *   node --import tsx bench/config-compile.ts [runs]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { execa } from "execa";
import { compileToYaml } from "../dsl/compiler/index.ts";
import { convertToDsl } from "../dsl/convert.ts";
import { defaultBenchSize, generateConfig } from "./generate-config.ts";

const runs = Number(process.argv[2] ?? 10);
const dir = await mkdtemp(join(tmpdir(), "nodepool-bench-"));
const file = join(dir, "nodepool.config.ts");
const source = convertToDsl(generateConfig(), { source: "bench/generate-config.ts" });
await writeFile(file, source);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
}

// Wall time on a shared machine depends on the load; CPU time (this process and its worker) less so.
const times: number[] = [];
const cpuTimes: number[] = [];
let yamlSize = 0;
for (let i = 0; i < runs; i++) {
  const cpu = process.cpuUsage();
  const [ms, compiled] = await timed(() => compileToYaml(file, { typecheck: false }));
  const used = process.cpuUsage(cpu);
  if (compiled.yaml === undefined) throw new Error(`the generated config does not compile: ${compiled.diagnostics.length} problems`);
  yamlSize = compiled.yaml.length;
  times.push(ms);
  cpuTimes.push((used.user + used.system) / 1000);
}
const [typechecked] = await timed(() => compileToYaml(file, { typecheck: true }));
const bin = new URL("../bin/nodepool", import.meta.url).pathname;
const [command, result] = await timed(() => execa(bin, ["compile", file, "--no-typecheck"], { reject: false }));
await rm(dir, { recursive: true, force: true });

const sorted = [...times].sort((a, b) => a - b);
const cpuSorted = [...cpuTimes].sort((a, b) => a - b);
const ms = (v: number | undefined): string => `${(v ?? 0).toFixed(1)} ms`;
process.stdout.write(
  [
    `config: ${defaultBenchSize.providers} providers, ${defaultBenchSize.labels} labels (${(source.length / 1024).toFixed(0)} KiB .ts, ${(yamlSize / 1024).toFixed(0)} KiB YAML)`,
    `compile without type-check, ${runs} runs: first ${ms(times[0])}, median ${ms(sorted[Math.floor(runs / 2)])}, max ${ms(sorted[runs - 1])} wall (target < 1000 ms)`,
    `  CPU: first ${ms(cpuTimes[0])}, median ${ms(cpuSorted[Math.floor(runs / 2)])}`,
    `compile with type-check: ${ms(typechecked)}`,
    `bin/nodepool compile --no-typecheck (whole process): ${ms(command)}${result.exitCode === 0 ? "" : ` (exit ${result.exitCode}: run npm run build first)`}`,
  ].join("\n") + "\n",
);
