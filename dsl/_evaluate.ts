/**
 * The evaluation half of the compiler that runs inside the bundled config (in a worker thread):
 * resolves the default export (an object, or a function or async function returning one) and
 * turns it into plain data, noting values YAML cannot hold and the helper call sites met on the way.
 * Private to the DSL; `compiler/evaluate.ts` bundles it together with the operator's file.
 */
import type { PathSegment } from "../schema/index.ts";
import { siteOf } from "./_sites.ts";

export interface EvaluationProblem {
  path: PathSegment[];
  message: string;
}

export interface EvaluationSite {
  path: PathSegment[];
  stack: string;
}

export type Evaluation =
  | { ok: true; value: unknown; problems: EvaluationProblem[]; sites: EvaluationSite[] }
  | { ok: false; message: string; stack: string };

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

function describe(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) return `an instance of ${value.constructor?.name ?? "a class"}`;
  return `${typeof value} ${String(value)}`;
}

function toPlain(value: unknown, path: PathSegment[], problems: EvaluationProblem[], sites: EvaluationSite[]): Plain | undefined {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    problems.push({ path, message: `${value} cannot be written to YAML; use a finite number` });
    return undefined;
  }
  if (typeof value === "object") {
    const stack = siteOf(value);
    if (stack !== undefined) sites.push({ path, stack });
    if (Array.isArray(value)) {
      return value.map((item: unknown, index) => {
        const plain = toPlain(item, [...path, index], problems, sites);
        if (plain === undefined && item === undefined) problems.push({ path: [...path, index], message: "a list item is undefined" });
        return plain ?? null;
      });
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const out: { [key: string]: Plain } = {};
      for (const [key, item] of Object.entries(value)) {
        // An undefined property is an absent key, so `cond ? 5 : undefined` leaves a key out.
        if (item === undefined) continue;
        const plain = toPlain(item, [...path, key], problems, sites);
        if (plain !== undefined) out[key] = plain;
      }
      return out;
    }
  }
  problems.push({ path, message: `${describe(value)} cannot be written to YAML; use plain objects, lists, strings, numbers and booleans` });
  return undefined;
}

/** Called by the generated entry with the operator's module namespace. */
export async function evaluate(module: { default?: unknown }): Promise<Evaluation> {
  try {
    if (!("default" in module) || module.default === undefined) {
      throw new Error("the config file has no default export; end it with `export default defineConfig({ ... })`");
    }
    const exported = module.default;
    // A function (possibly async) computes the config; a promise is awaited like one.
    const value: unknown = await (typeof exported === "function" ? (exported as () => unknown)() : exported);
    const problems: EvaluationProblem[] = [];
    const sites: EvaluationSite[] = [];
    const plain = toPlain(value, [], problems, sites);
    return { ok: true, value: plain ?? null, problems, sites };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error && error.stack !== undefined ? error.stack : "";
    return { ok: false, message, stack };
  }
}
