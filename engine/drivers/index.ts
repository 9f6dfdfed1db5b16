/**
 * Driver selection: one factory per `driver` name (config.md §3.1). Drivers register here;
 * the engine only sees the Provider interface of ./driver.ts.
 */
import type { ProviderConfig } from "../../schema/index.ts";
import { NodepoolError } from "../errors.ts";
import type { Provider } from "./driver.ts";
import { FakeProvider } from "./fake/index.ts";
import type { Logger } from "../log.ts";
import { StaticProvider, type CheckPolicy } from "./static/index.ts";

export type * from "./driver.ts";
export type * from "./inventory.ts";
export { LaunchError, QuotaExceededError, CloudError, ImageUploadError, UnsupportedOperationError } from "./driver.ts";

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
}

type Factory = (config: ProviderConfig, context: ProviderContext) => Provider;
const factories = new Map<string, Factory>();

/** Makes `driver: <name>` providers use `factory`; a later registration replaces an earlier one. */
export function registerDriver<D extends ProviderConfig["driver"]>(
  name: D,
  factory: (config: Extract<ProviderConfig, { driver: D }>, context: ProviderContext) => Provider,
): void {
  factories.set(name, (config, context) => factory(config as Extract<ProviderConfig, { driver: D }>, context));
}

registerDriver("fake", (config) => new FakeProvider(config));
registerDriver("static", (config, { log, hostCheckPolicy }) => new StaticProvider(config, { ...(log ? { log } : {}), ...(hostCheckPolicy ? { policy: hostCheckPolicy } : {}) }));

export function createProvider(config: ProviderConfig, context: ProviderContext = {}): Provider {
  const factory = factories.get(config.driver);
  if (!factory) {
    throw new DriverNotAvailableError(
      `provider ${config.name}: driver ${config.driver} is not available in this build (available: ${[...factories.keys()].sort().join(", ")})`,
    );
  }
  return factory(config, context);
}
