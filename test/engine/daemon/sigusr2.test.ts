import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { test } from "node:test";
import { pino } from "pino";
import { activeResources, CpuProfiler } from "../../../engine/daemon/sigusr2.ts";

test("the first toggle starts a CPU profile, the second writes a readable .cpuprofile and stops", async (t) => {
  const lines: { msg: string; path?: string; resources?: Record<string, number> }[] = [];
  const log = pino({ level: "debug" }, { write: (text: string) => void lines.push(JSON.parse(text) as (typeof lines)[number]) });
  const profiler = new CpuProfiler({ name: "nodepool-test", log });
  t.after(() => profiler.stop());
  assert.equal(await profiler.toggle(), undefined);
  assert.equal(profiler.profiling, true);
  let spin = 0;
  for (let i = 0; i < 1e6; i++) spin += Math.sqrt(i);
  assert.ok(spin > 0);
  const path = await profiler.toggle();
  assert.ok(path !== undefined);
  t.after(() => rm(path, { force: true }));
  assert.equal(profiler.profiling, false);
  assert.match(path, new RegExp(`nodepool-test-${process.pid}-.*\\.cpuprofile$`));
  const profile = JSON.parse(await readFile(path, "utf8")) as { nodes: unknown[]; startTime: number; endTime: number };
  assert.ok(profile.nodes.length > 0 && profile.endTime > profile.startTime);
  assert.deepEqual(lines.filter((l) => l.path !== undefined).map((l) => l.path), [path]);
  assert.equal(lines.filter((l) => l.resources !== undefined).length, 2);
});

test("active resources are counted by type", () => {
  const timer = setTimeout(() => undefined, 10_000);
  try {
    assert.ok((activeResources()["Timeout"] ?? 0) >= 1);
  } finally {
    clearTimeout(timer);
  }
});
