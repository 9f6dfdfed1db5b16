/**
 * Benchmark: read, parse and validate a 50-provider, 500-label nodepool.yaml (target < 0.5 s).
 *   node --import tsx bench/config-load.ts [runs]
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadConfigFile } from "../schema/index.ts";
import { defaultBenchSize, generateConfigYaml } from "./generate-config.ts";

const runs = Number(process.argv[2] ?? 10);
const dir = await mkdtemp(join(tmpdir(), "nodepool-bench-"));
const file = join(dir, "nodepool.yaml");
const text = generateConfigYaml();
await writeFile(file, text);

const times: number[] = [];
const cpuTimes: number[] = [];
let summary = "";
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await loadConfigFile(file);
  times.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  cpuTimes.push((used.user + used.system) / 1000);
  if (!result.ok) throw new Error(`the generated config is invalid: ${result.diagnostics.length} problems`);
  const poolLabels = result.config.providers.reduce((n, p) => n + p.pools.reduce((m, pool) => m + ("labels" in pool ? pool.labels.length : 0), 0), 0);
  summary = `${result.config.providers.length} providers, ${result.config.labels.length} labels, ${poolLabels} pool labels, ${result.diagnostics.length} warnings`;
}
await rm(dir, { recursive: true, force: true });

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ms = (v: number | undefined): string => `${(v ?? 0).toFixed(1)} ms`;
process.stdout.write(
  [
    `config: ${defaultBenchSize.providers} providers, ${defaultBenchSize.labels} labels (${(text.length / 1024).toFixed(0)} KiB YAML): ${summary}`,
    `load+validate, ${runs} runs (target < 500 ms): first ${ms(times[0])} (cpu ${ms(cpuTimes[0])}), median ${ms(median(times))} (cpu ${ms(median(cpuTimes))}), max ${ms(Math.max(...times))}`,
  ].join("\n") + "\n",
);
