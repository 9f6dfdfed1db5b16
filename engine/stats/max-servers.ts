/**
 * The provider limit gauge (behaviour.md §7.3): `provider.<P>.max_servers` is the sum of
 * `max-servers` over the provider's pools, skipping pools with 0 and unlimited pools (the
 * reference would send infinity for those). Kept per pool from the pool workers' reports.
 */
import type { PoolEvent } from "../reconcile/events.ts";
import { gauge, type Metric } from "./metric.ts";

export function providerMaxServers(poolLimits: Iterable<number>): number {
  let sum = 0;
  for (const limit of poolLimits) if (limit !== 0 && Number.isFinite(limit)) sum += limit;
  return sum;
}

/** The latest `max-servers` of every pool seen, per provider. */
export class MaxServersGauge {
  private readonly pools = new Map<string, Map<string, number>>();

  /** Records one pool worker iteration and returns the provider's gauge to send. */
  update(event: PoolEvent): Metric {
    let pools = this.pools.get(event.provider);
    if (pools === undefined) {
      pools = new Map();
      this.pools.set(event.provider, pools);
    }
    pools.set(event.pool, event.maxServers);
    return gauge(`provider.${event.provider}.max_servers`, providerMaxServers(pools.values()));
  }
}
