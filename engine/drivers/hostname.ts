/**
 * `hostname-format` rendering: `{label.name}`, `{provider.name}`, `{node.id}` and the other
 * attributes of those three roots are substituted; anything else is left as written.
 */
export type HostnameContext = Record<"label" | "provider" | "node", Readonly<Record<string, string>>>;

export function formatHostname(format: string, context: HostnameContext): string {
  return format.replace(/\{(label|provider|node)\.([a-z_]+)\}/g, (whole, root: keyof HostnameContext, attr: string) => context[root][attr] ?? whole);
}
