/** Providers: one schema per driver, chosen by `driver` (openstack when absent, spec/config.md §3.1). */
import { z } from "zod";
import { awsProviderSchema } from "./aws.ts";
import { kubernetesProviderSchema } from "./kubernetes.ts";
import { fakeProviderSchema, openstackProviderSchema } from "./openstack.ts";
import { openshiftProviderSchema } from "./openshift.ts";
import { staticProviderSchema } from "./static.ts";
import { testProviderSchema } from "./test-driver.ts";

export const providerSchema = z.discriminatedUnion("driver", [
  openstackProviderSchema,
  fakeProviderSchema,
  staticProviderSchema,
  kubernetesProviderSchema,
  openshiftProviderSchema,
  awsProviderSchema,
  testProviderSchema,
]);

/** The schema of each driver, by name: what validation picks once `driver` is known. */
export const driverSchemas = {
  openstack: openstackProviderSchema,
  fake: fakeProviderSchema,
  static: staticProviderSchema,
  kubernetes: kubernetesProviderSchema,
  openshift: openshiftProviderSchema,
  aws: awsProviderSchema,
  test: testProviderSchema,
} as const;

export type DriverName = keyof typeof driverSchemas;
export const driverNames = Object.keys(driverSchemas) as DriverName[];

export type ProviderConfig = z.output<typeof providerSchema>;
export type ProviderConfigInput = z.input<typeof providerSchema>;
export type PoolConfig = ProviderConfig["pools"][number];
/** A pool label of any driver that describes its labels (the test driver lists bare names). */
export type PoolLabelConfig = Exclude<Extract<PoolConfig, { labels: unknown }>["labels"][number], string>;
