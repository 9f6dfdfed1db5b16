/**
 * `nodepool/dsl`: what a `nodepool.config.ts` imports. `defineConfig` takes exactly the canonical
 * structure of `nodepool.yaml` (same kebab-case keys, quoted), so any YAML pasted in as an object
 * literal is a valid config; the helpers add what YAML makes painful:
 *
 * - `defineConfig` learns the names the config defines (labels, diskimages, cloud-images), so a pool
 *   label, provider diskimage, `diskimage`, `cloud-image` or `parent` naming anything else is a
 *   compile error at its line, whether written as a string or through a handle;
 * - `label()` / `diskimage()` / `cloudImage()` return handles: the definition itself, typed with its
 *   literal name, so pools may refer to `ubuntuSmall.name`;
 * - handles are ordinary values, so one label is shared across providers and pools are generated
 *   in loops (`regions.map(...)`) with the language's own tools;
 * - `secret()` marks a diskimage env-var that the secure file supplies, never inlined.
 *
 * Types come from the zod schemas in schema/ (resolved into config-types.generated.ts) and are
 * defined nowhere else.
 */
// The schema's input type resolved into a plain type (generated; see compiler/config-types.ts): checking
// a config against it takes a fraction of the time zod's generic types would.
import type { NodepoolConfigInput, NodepoolConfigOf } from "./config-types.generated.ts";
import { recordSite } from "./_sites.ts";
import { SECRET_MARKER, type Secret } from "./secret.ts";

export type { Secret } from "./secret.ts";

/** The whole configuration as written (`nodepool.yaml` as a typed object). */
export type NodepoolConfigDefinition = NodepoolConfigInput;
/** What a config file may export by default: the config, or a function (possibly async) returning it. */
export type ConfigExport = NodepoolConfigDefinition | (() => NodepoolConfigDefinition | Promise<NodepoolConfigDefinition>);

type Item<T> = NonNullable<T> extends readonly (infer I)[] ? I : never;

export type LabelDefinition = Item<NodepoolConfigDefinition["labels"]>;
export type DiskimageDefinition = Item<NodepoolConfigDefinition["diskimages"]>;
export type ZookeeperServerDefinition = Item<NodepoolConfigDefinition["zookeeper-servers"]>;
export type ProviderDefinition = Item<NodepoolConfigDefinition["providers"]>;
export type DriverName = NonNullable<ProviderDefinition["driver"]>;
/** A provider of one driver (`ProviderOf<"static">`); OpenStack when `driver` is left out. */
export type ProviderOf<D extends DriverName> = D extends "openstack"
  ? Extract<ProviderDefinition, { driver?: "openstack" }>
  : Extract<ProviderDefinition, { driver: D }>;
export type PoolOf<D extends DriverName> = Item<ProviderOf<D>["pools"]>;
export type PoolLabelOf<D extends DriverName> = PoolOf<D> extends infer P ? (P extends { labels?: infer L } ? Item<L> : never) : never;
export type CloudImageDefinition = Item<ProviderOf<"openstack">["cloud-images"]> | Item<ProviderOf<"aws">["cloud-images"]>;

/** A label definition whose `name` is known to the type checker: pools refer to `handle.name`. */
export type LabelHandle<N extends string = string> = LabelDefinition & { readonly name: N };
/** A diskimage handle also keeps its `parent`'s literal name, checked like any other reference. */
export type DiskimageHandle<N extends string = string, P extends string = never> = DiskimageDefinition & { readonly name: N; parent?: P };
export type CloudImageHandle<N extends string = string> = CloudImageDefinition & { readonly name: N };

/**
 * The config file's default export: `export default defineConfig({ ... })`. A config computed at
 * compile time exports a function instead: `export default async () => defineConfig({ ... })`.
 * The names are inferred from the definitions only (references are `NoInfer`); names computed at
 * run time (`string`) leave their references unchecked until validation.
 */
export function defineConfig<LabelName extends string = string, DiskimageName extends string = string, CloudImageName extends string = string>(
  config: NodepoolConfigOf<LabelName, DiskimageName, CloudImageName>,
): NodepoolConfigDefinition {
  return config;
}

/** A top-level label; list it in `labels` and refer to it from pools as `handle.name`. */
export function label<const N extends string>(definition: LabelDefinition & { name: N }): LabelHandle<N> {
  return recordSite({ ...definition });
}

/** A top-level diskimage; list it in `diskimages`, refer to it as `handle.name` from providers and pool labels. */
export function diskimage<const N extends string, const P extends string = never>(
  definition: DiskimageDefinition & { name: N; parent?: P },
): DiskimageHandle<N, P> {
  return recordSite({ ...definition });
}

/** A provider's cloud-image; list it in the provider's `cloud-images`, refer to it as `handle.name` in its pool labels. */
export function cloudImage<const N extends string>(definition: CloudImageDefinition & { name: N }): CloudImageHandle<N> {
  return recordSite({ ...definition });
}

/** A diskimage `env-vars` value that the secure file supplies (spec/config.md §6); never written to the main file. */
export function secret(): Secret {
  return SECRET_MARKER as Secret;
}
