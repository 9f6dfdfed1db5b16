/** The AWS driver: EC2 instances from existing AMIs (spec/config.md §3.8). */
import { z } from "zod";
import { bool, defaultConnectionPort, int, list, str } from "../primitives.ts";
import { commonPoolShape, commonProviderShape, connectionShape } from "./common.ts";
import { definesName, refersToName } from "../names.ts";

export const awsCloudImageSchema = z
  .strictObject({
    name: definesName(str().describe("Identifier labels use; also the AMI ID when image-id is absent"), "cloud-image"),
    "image-id": str().optional().describe("AMI ID"),
    username: str().optional().describe("Login user recorded on nodes"),
    ...connectionShape,
  })
  .transform((image) => ({
    ...image,
    "connection-port": image["connection-port"] ?? defaultConnectionPort(image["connection-type"]),
  }));

export const awsLabelSchema = z.strictObject({
  name: refersToName(str().describe("A top-level label this pool can launch"), "label"),
  "cloud-image": refersToName(str().describe("A cloud-images name of this provider"), "cloud-image").optional(),
  "instance-type": str().describe("EC2 instance type, e.g. t3.medium"),
  "key-name": str().describe("EC2 key pair name"),
  "volume-type": str().optional().describe("Root EBS volume type, e.g. gp2"),
  "volume-size": int().optional().describe("Root EBS volume size (GiB)"),
});

export const awsPoolSchema = z.strictObject({
  ...commonPoolShape,
  labels: list(awsLabelSchema),
  "subnet-id": str().optional().describe("Subnet of the instance's primary interface"),
  "security-group-id": str().optional().describe("Security group of that interface"),
  "host-key-checking": bool()
    .default(true)
    .describe("Scan host keys after boot (the reference config-validate rejects this key; its loader honours it)"),
});

export const awsProviderSchema = z.strictObject({
  ...commonProviderShape(z.literal("aws")),
  "region-name": str().describe("AWS region, e.g. us-west-2"),
  "profile-name": str().optional().describe("AWS credentials profile"),
  "boot-timeout": int().default(60).describe("Seconds to wait for a new instance to be running"),
  "launch-retries": int().default(3).describe("Attempts of the create call"),
  "hostname-format": str().optional().describe("Accepted and not used"),
  "cloud-images": list(awsCloudImageSchema).default([]),
  pools: list(awsPoolSchema),
});

export type AwsProviderConfig = z.output<typeof awsProviderSchema>;
export type AwsPoolConfig = z.output<typeof awsPoolSchema>;
export type AwsLabelConfig = z.output<typeof awsLabelSchema>;
