/**
 * What the builder reports as it works, for the Prometheus metrics to subscribe to: each
 * build and upload this process carried out, with its outcome and duration. (statsd gets its
 * metrics from the workers directly, behaviour.md §4.8.)
 */
import { EventEmitter } from "node:events";
import type { BuildId } from "../zk/ids.ts";

export interface BuildEvent {
  readonly image: string;
  readonly build: BuildId;
  readonly result: "ready" | "failed";
  readonly durationMs: number;
}

export interface UploadEvent {
  readonly image: string;
  readonly build: BuildId;
  readonly provider: string;
  readonly result: "ready" | "failed";
  readonly durationMs: number;
}

export interface BuilderEvents {
  build: [BuildEvent];
  upload: [UploadEvent];
}

export class BuilderEventEmitter extends EventEmitter<BuilderEvents> {}
