/**
 * The canonical Nodepool configuration: zod schemas (the single source of the config's
 * types), loading YAML with positions, validation and the secure-file merge.
 */
export { nodepoolConfigSchema, topLevelKeys } from "./config.ts";
export type { NodepoolConfig, NodepoolConfigInput } from "./config.ts";
export { zookeeperServerSchema } from "./zookeeper.ts";
export type { ZookeeperServer, ZookeeperServerInput } from "./zookeeper.ts";
export { webappSchema } from "./webapp.ts";
export type { WebappConfig } from "./webapp.ts";
export { labelSchema } from "./labels.ts";
export type { LabelConfig, LabelConfigInput } from "./labels.ts";
export { diskimageSchema, newerDiskimageKeys } from "./diskimages.ts";
export type { DiskImageConfig, DiskImageConfigInput } from "./diskimages.ts";
export { tenantResourceLimitSchema } from "./tenant-resource-limits.ts";
export type { TenantResourceLimit } from "./tenant-resource-limits.ts";
export { providerSchema, driverSchemas, driverNames } from "./providers/index.ts";
export type { DriverName, ProviderConfig, ProviderConfigInput, PoolConfig, PoolLabelConfig } from "./providers/index.ts";
export {
  openstackProviderSchema,
  fakeProviderSchema,
  fakeCloudSchema,
  openstackPoolSchema,
  openstackPoolLabelSchema,
  openstackProviderDiskimageSchema,
  openstackCloudImageSchema,
} from "./providers/openstack.ts";
export type {
  OpenstackProviderConfig,
  FakeProviderConfig,
  FakeCloudConfig,
  OpenstackPoolConfig,
  OpenstackPoolLabelConfig,
  ProviderDiskimageConfig,
  CloudImageConfig,
} from "./providers/openstack.ts";
export { staticProviderSchema, staticPoolSchema, staticNodeSchema } from "./providers/static.ts";
export type { StaticProviderConfig, StaticPoolConfig, StaticNodeConfig } from "./providers/static.ts";
export { kubernetesProviderSchema, kubernetesPoolSchema, kubernetesLabelSchema } from "./providers/kubernetes.ts";
export type { KubernetesProviderConfig, KubernetesPoolConfig, KubernetesLabelConfig } from "./providers/kubernetes.ts";
export { openshiftProviderSchema, openshiftPoolSchema, openshiftLabelSchema } from "./providers/openshift.ts";
export type { OpenshiftProviderConfig, OpenshiftPoolConfig, OpenshiftLabelConfig } from "./providers/openshift.ts";
export { awsProviderSchema, awsPoolSchema, awsLabelSchema, awsCloudImageSchema } from "./providers/aws.ts";
export type { AwsProviderConfig, AwsPoolConfig, AwsLabelConfig } from "./providers/aws.ts";
export { testProviderSchema, testPoolSchema } from "./providers/test-driver.ts";
export type { TestProviderConfig, TestPoolConfig } from "./providers/test-driver.ts";
export { formatDiagnostic, formatPath, sortDiagnostics } from "./diagnostics.ts";
export type { Diagnostic, Severity, PathSegment } from "./diagnostics.ts";
export { validateConfigValue, validateSources } from "./validate.ts";
export type { ConfigResult, Locate, SecureSource, ValidateOptions } from "./validate.ts";
export type { SourceFile } from "./findings.ts";
export { ConfigFileError, InvalidConfigError, loadConfigFile, loadConfigText, readConfigFile } from "./load.ts";
export type { LoadFileOptions, LoadTextOptions } from "./load.ts";
export { MASK, isSecretEnvVar, maskSecrets, secretPathsOf } from "./secrets.ts";
export { secureConfigSchema, secureDiskimageSchema } from "./secure.ts";
export type { SecureConfig } from "./secure.ts";
export { parseYaml } from "./yaml-source.ts";
export type { ParsedYaml, Position, SourceMap } from "./yaml-source.ts";
export { ConfigRuntimeError, checkRuntimeRequirements } from "./runtime.ts";
export type { ConfigRole } from "./runtime.ts";
