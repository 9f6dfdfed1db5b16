/** Top-level `labels`: min-ready and max-ready-age live here (spec/config.md §2.8). */
import { z } from "zod";
import { int, str } from "./primitives.ts";
import { definesName } from "./names.ts";

export const labelSchema = z.strictObject({
  name: definesName(str().describe("Label name used in node requests; pools refer to it"), "label"),
  "min-ready": int()
    .default(0)
    .describe("Unassigned ready nodes of this label to keep at all times; 0 or less: only on demand"),
  "max-ready-age": int()
    .default(0)
    .describe("Seconds a node may stay ready before it is deleted; 0 or negative disables"),
});

export type LabelConfig = z.output<typeof labelSchema>;
export type LabelConfigInput = z.input<typeof labelSchema>;
