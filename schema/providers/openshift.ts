/** The OpenShift driver: projects and pods as nodes (spec/config.md §3.7). */
import { z } from "zod";
import { int, list, str } from "../primitives.ts";
import { commonProviderShape } from "./common.ts";
import { imagePullSchema } from "./kubernetes.ts";
import { refersToName } from "../names.ts";

export const openshiftLabelSchema = z.strictObject({
  name: refersToName(str().describe("A top-level label this pool can launch"), "label"),
  type: str().describe("project, or pod (a project holding one pod from image)"),
  image: str().optional().describe("Pod image (type: pod)"),
  "image-pull": imagePullSchema(),
  cpu: int().optional().describe("CPU request of the pod"),
  memory: int().optional().describe("Memory request (MiB) of the pod"),
});

/** OpenShift pools take only name and labels (use max-projects on the provider). */
export const openshiftPoolSchema = z.strictObject({
  name: str().describe("Pool name; projects are named <pool>-<node id>"),
  labels: list(openshiftLabelSchema),
});

export const openshiftProviderSchema = z.strictObject({
  ...commonProviderShape(z.literal("openshift")),
  context: str().describe("Kube config context whose account may create projects"),
  "launch-retries": int().default(3).describe("Attempts per node"),
  "max-projects": int().optional().describe("Most projects this provider may have at once; unset = unlimited"),
  pools: list(openshiftPoolSchema),
});

export type OpenshiftProviderConfig = z.output<typeof openshiftProviderSchema>;
export type OpenshiftPoolConfig = z.output<typeof openshiftPoolSchema>;
export type OpenshiftLabelConfig = z.output<typeof openshiftLabelSchema>;
