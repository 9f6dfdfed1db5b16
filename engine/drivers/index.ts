/**
 * Driver selection: one factory per `driver` name (config.md §3.1). Drivers register here;
 * the engine only sees the Provider interface of ./driver.ts.
 */
import type { ProviderConfig } from "../../schema/index.ts";
import { NodepoolError } from "../errors.ts";
import type { Provider, ProviderContext } from "./driver.ts";
import { FakeProvider } from "./fake/index.ts";

export type * from "./driver.ts";
export { LaunchError, QuotaExceededError, CloudError, ImageUploadError, UnsupportedOperationError, timedApiCall } from "./driver.ts";

/** The config names a driver this build has no implementation of. */
export class DriverNotAvailableError extends NodepoolError {
  readonly code = "driver.not-available";
  override readonly exitCode = 1;
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

registerDriver("fake", (config, context) => new FakeProvider(config, context));

export function createProvider(config: ProviderConfig, context: ProviderContext = {}): Provider {
  const factory = factories.get(config.driver);
  if (!factory) {
    throw new DriverNotAvailableError(
      `provider ${config.name}: driver ${config.driver} is not available in this build (available: ${[...factories.keys()].sort().join(", ")})`,
    );
  }
  return factory(config, context);
}
