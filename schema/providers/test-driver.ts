/** The `test` driver of Nodepool's test suite (spec/config.md §3.9): pool labels are plain names. */
import { z } from "zod";
import { list, str } from "../primitives.ts";
import { commonPoolShape, commonProviderShape } from "./common.ts";
import { refersToName } from "../names.ts";

export const testPoolSchema = z.strictObject({
  ...commonPoolShape,
  labels: refersToName(list(str()).describe("Top-level label names"), "label").default([]),
});

export const testProviderSchema = z.strictObject({
  ...commonProviderShape(z.literal("test")),
  pools: list(testPoolSchema).default([]),
});

export type TestProviderConfig = z.output<typeof testProviderSchema>;
export type TestPoolConfig = z.output<typeof testPoolSchema>;
