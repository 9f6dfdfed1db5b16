export { OpenStackClient, type ClientOptions } from "./client.ts";
export { loadCloudConfig, configCandidates, type CloudConfig } from "./clouds-config.ts";
export * from "./errors.ts";
export type { ApiCall, ApiCallListener } from "./session.ts";
