/**
 * The TypeScript compiler, loaded on first use: it takes a few hundred milliseconds to load, and a
 * compile without type-check only needs it to point an error at its `.ts` line.
 */
import { createRequire } from "node:module";
import type ts from "typescript";

let loaded: typeof ts | undefined;

export function typescript(): typeof ts {
  loaded ??= createRequire(import.meta.url)("typescript") as typeof ts;
  return loaded;
}
