/** Flavor selection for OpenStack-like drivers (behaviour.md §3.5). */

export interface Flavor {
  id: string;
  name: string;
  ram: number;
  vcpus: number;
}

/**
 * With `min-ram` > 0: the smallest-RAM flavor with at least that much RAM whose name contains
 * `flavor-name` (when set). Without: the flavor whose name or id equals `flavor-name`.
 */
export function selectFlavor<F extends Flavor>(flavors: readonly F[], minRam: number, flavorName: string | undefined): F | undefined {
  const byRam = [...flavors].sort((a, b) => a.ram - b.ram);
  if (minRam > 0) return byRam.find((f) => f.ram >= minRam && (flavorName === undefined || f.name.includes(flavorName)));
  return byRam.find((f) => f.name === flavorName || f.id === flavorName);
}
