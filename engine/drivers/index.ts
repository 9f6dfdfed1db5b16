/**
 * Driver selection: one driver per `driver` name (config.md §3.1). A driver describes its
 * providers from config (traits, no I/O) and, when this build implements it, creates them.
 * The engine sees only the Provider and ProviderTraits of ./driver.ts.
 */
import type { ProviderConfig } from "../../schema/index.ts";
import { NodepoolError } from "../errors.ts";
import type { ApiCallSink, Provider, ProviderTraits } from "./driver.ts";
import type { Logger } from "../log.ts";
import { FakeProvider } from "./fake/index.ts";
import { OpenStackProvider } from "./openstack/provider.ts";
import { StaticProvider, type CheckPolicy, type HostScanner } from "./static/index.ts";
import { cloudTraits, genericTraits, staticTraits } from "./traits.ts";

export type * from "./driver.ts";
export { LaunchError, QuotaExceededError, CloudError, ImageUploadError, UnsupportedOperationError, HostCheckError, messageOf, timedApiCall } from "./driver.ts";
export { cloudTraits, genericTraits, poolTraits, staticTraits } from "./traits.ts";

/** The config names a driver this build has no implementation of. */
export class DriverNotAvailableError extends NodepoolError {
  readonly code = "driver.not-available";
  override readonly exitCode = 1;
}

/** What a provider gets from the process that runs it. */
export interface ProviderContext {
  log?: Logger;
  /** How often static hosts are probed and retried (tests shorten it); default DEFAULT_CHECK_POLICY. */
  hostCheckPolicy?: CheckPolicy;
  /** How static hosts are scanned and probed; default over SSH (a benchmark counts through it). */
  hostScanner?: HostScanner;
  /** Where this provider's driver reports its cloud API calls (the metrics); absent: nobody measures. */
  apiCalls?: ApiCallSink;
}

export interface Driver<C extends ProviderConfig = ProviderConfig> {
  /** What the provider of this config can do and plans with, without I/O. */
  describe(config: C): ProviderTraits;
  /** Builds the provider (no I/O until `start`); absent while the driver is only described. */
  create?(config: C, context: ProviderContext): Provider;
}

const drivers = new Map<string, Driver>();

/** Makes `driver: <name>` providers use `driver`; a later registration replaces an earlier one. */
export function registerDriver<D extends ProviderConfig["driver"]>(name: D, driver: Driver<Extract<ProviderConfig, { driver: D }>>): void {
  drivers.set(name, driver as Driver);
}

registerDriver("fake", { describe: cloudTraits, create: (config, context) => new FakeProvider(config, context.apiCalls) });
registerDriver("openstack", {
  describe: cloudTraits,
  create: (config, { log, apiCalls }) => new OpenStackProvider(config, { ...(log ? { log } : {}), ...(apiCalls ? { apiCalls } : {}) }),
});
registerDriver("static", {
  describe: staticTraits,
  create: (config, { log, hostCheckPolicy, hostScanner }) =>
    new StaticProvider(config, { ...(log ? { log } : {}), ...(hostCheckPolicy ? { policy: hostCheckPolicy } : {}), ...(hostScanner ? { scanner: hostScanner } : {}) }),
});

/** The provider's traits; a driver this build does not know has its pools and no ability. */
export function describeProvider(config: ProviderConfig): ProviderTraits {
  return (drivers.get(config.driver)?.describe ?? genericTraits)(config);
}

export function createProvider(config: ProviderConfig, context: ProviderContext = {}): Provider {
  const create = drivers.get(config.driver)?.create;
  if (!create) {
    const available = [...drivers].filter(([, d]) => d.create).map(([name]) => name);
    throw new DriverNotAvailableError(
      `provider ${config.name}: driver ${config.driver} is not available in this build (available: ${available.sort().join(", ")})`,
    );
  }
  return create(config, context);
}
