/**
 * The builder's Prometheus metrics: the facts of its statsd keys (behaviour.md §4.8) as
 * labelled series. Image builds and uploads by state and the age of each image's newest ready
 * build are computed when scraped from a watched cache of the image tree; build and upload
 * durations follow the builds and uploads this process carries out.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { BuildEvent, BuilderEventEmitter, UploadEvent } from "../builder/events.ts";
import { summariseImages, type ImageTree } from "../status/fleet.ts";
import { BUILD_STATES, UPLOAD_STATES } from "../zk/records/image.ts";

/** Seconds; a diskimage-builder run takes minutes to an hour. */
const BUILD_BUCKETS = [10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200];
/** Seconds; an upload of a few GiB takes seconds to many minutes. */
const UPLOAD_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export interface BuilderMetricsOptions {
  readonly registry: Registry;
  readonly images: ImageTree;
  readonly events: BuilderEventEmitter;
}

/** Registers the builder's metrics; returns the function that stops following the events. */
export function attachBuilderMetrics({ registry, images, events }: BuilderMetricsOptions): () => void {
  const registers = [registry];
  new Gauge({
    name: "nodepool_image_builds",
    help: "Image builds in ZooKeeper by image and state",
    labelNames: ["image", "state"] as const,
    registers,
    collect() {
      this.reset();
      for (const image of images.images()) {
        const counts = Object.fromEntries(BUILD_STATES.map((state) => [state, 0]));
        for (const build of images.builds(image)) counts[build.state] = (counts[build.state] ?? 0) + 1;
        for (const state of BUILD_STATES) this.set({ image, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: "nodepool_image_uploads",
    help: "Image uploads in ZooKeeper by image, provider and state",
    labelNames: ["image", "provider", "state"] as const,
    registers,
    collect() {
      this.reset();
      for (const image of summariseImages(images)) {
        const byProvider = new Map<string, Record<string, number>>();
        for (const build of image.builds) {
          for (const upload of build.uploads) {
            let counts = byProvider.get(upload.provider);
            if (!counts) byProvider.set(upload.provider, (counts = {}));
            counts[upload.state] = (counts[upload.state] ?? 0) + 1;
          }
        }
        for (const [provider, counts] of byProvider) for (const state of UPLOAD_STATES) this.set({ image: image.name, provider, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: "nodepool_image_newest_ready_build_age_seconds",
    help: "Age of each image's newest ready build (absent while an image has none)",
    labelNames: ["image"] as const,
    registers,
    collect() {
      this.reset();
      const now = Date.now() / 1000;
      for (const image of summariseImages(images)) if (image.newestReady !== null) this.set({ image: image.name }, Math.max(0, now - image.newestReady));
    },
  });
  const builds = new Counter({ name: "nodepool_image_builds_total", help: "Image builds this builder finished, by image and result (ready, failed)", labelNames: ["image", "result"] as const, registers });
  const buildSeconds = new Histogram({ name: "nodepool_image_build_duration_seconds", help: "Image builds this builder ran, by image and result", labelNames: ["image", "result"] as const, buckets: BUILD_BUCKETS, registers });
  const uploads = new Counter({ name: "nodepool_image_uploads_total", help: "Image uploads this builder finished, by image, provider and result (ready, failed)", labelNames: ["image", "provider", "result"] as const, registers });
  const uploadSeconds = new Histogram({ name: "nodepool_image_upload_duration_seconds", help: "Image uploads this builder ran, by provider and result", labelNames: ["provider", "result"] as const, buckets: UPLOAD_BUCKETS, registers });
  const onBuild = (e: BuildEvent): void => {
    builds.inc({ image: e.image, result: e.result });
    buildSeconds.observe({ image: e.image, result: e.result }, e.durationMs / 1000);
  };
  const onUpload = (e: UploadEvent): void => {
    uploads.inc({ image: e.image, provider: e.provider, result: e.result });
    uploadSeconds.observe({ provider: e.provider, result: e.result }, e.durationMs / 1000);
  };
  events.on("build", onBuild);
  events.on("upload", onUpload);
  return () => {
    events.off("build", onBuild);
    events.off("upload", onUpload);
  };
}
