/** `webapp`: the launcher's status web server (spec/config.md §2.2). Read once at start-up. */
import { z } from "zod";
import { int, str } from "./primitives.ts";

export const webappSchema = z.strictObject({
  port: int().default(8005).describe("TCP port of the launcher's status web server"),
  listen_address: str().default("0.0.0.0").describe("Address the web server binds to"),
});

export type WebappConfig = z.output<typeof webappSchema>;
