/** The Kubernetes driver: namespaces and pods as nodes (spec/config.md §3.6). */
import { z } from "zod";
import { int, list, str } from "../primitives.ts";
import { commonPoolShape, commonProviderShape } from "./common.ts";
import { refersToName } from "../names.ts";

export const imagePullSchema = () =>
  str().default("IfNotPresent").describe("Image pull policy: IfNotPresent, Always or Never");

export const kubernetesLabelSchema = z.strictObject({
  name: refersToName(str().describe("A top-level label this pool can launch"), "label"),
  type: str().describe("namespace, or pod (a namespace holding one pod from image)"),
  image: str().optional().describe("Container image of the pod (type: pod)"),
  "image-pull": imagePullSchema(),
});

export const kubernetesPoolSchema = z.strictObject({
  ...commonPoolShape,
  labels: list(kubernetesLabelSchema),
});

export const kubernetesProviderSchema = z.strictObject({
  ...commonProviderShape(z.literal("kubernetes")),
  context: str().describe("Context name in the kube config of the Nodepool services"),
  "launch-retries": int().default(3).describe("Attempts per node"),
  pools: list(kubernetesPoolSchema),
});

export type KubernetesProviderConfig = z.output<typeof kubernetesProviderSchema>;
export type KubernetesPoolConfig = z.output<typeof kubernetesPoolSchema>;
export type KubernetesLabelConfig = z.output<typeof kubernetesLabelSchema>;
