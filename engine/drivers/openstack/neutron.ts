/** Neutron (network v2.0): networks by name, ports, floating IPs. */
import { z } from "zod";
import type { Session } from "./session.ts";

const networkSchema = z.looseObject({ id: z.string(), name: z.string(), "router:external": z.boolean().optional() });
export type Network = z.output<typeof networkSchema>;

const portSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  device_id: z.string().default(""),
  device_owner: z.string().default(""),
  network_id: z.string(),
  fixed_ips: z.array(z.looseObject({ ip_address: z.string() })).default([]),
});
export type Port = z.output<typeof portSchema>;

const floatingIpSchema = z.looseObject({
  id: z.string(),
  floating_ip_address: z.string(),
  floating_network_id: z.string(),
  port_id: z.string().nullable(),
  fixed_ip_address: z.string().nullable(),
  status: z.string().optional(),
});
export type FloatingIp = z.output<typeof floatingIpSchema>;

export class Neutron {
  constructor(private readonly session: Session) {}

  listNetworks(query: Record<string, string | boolean> = {}, signal?: AbortSignal): Promise<Network[]> {
    return this.session.list("ListNetworks", "network", "/networks", "networks", networkSchema, { query, signal });
  }

  listPorts(query: Record<string, string | readonly string[]> = {}, signal?: AbortSignal): Promise<Port[]> {
    return this.session.list("ListPorts", "network", "/ports", "ports", portSchema, { query, signal });
  }

  deletePort(id: string, signal?: AbortSignal): Promise<void> {
    return this.session.call("DeletePort", "network", "DELETE", `/ports/${encodeURIComponent(id)}`, { signal });
  }

  listFloatingIps(query: Record<string, string | readonly string[]> = {}, signal?: AbortSignal): Promise<FloatingIp[]> {
    return this.session.list("ListFloatingIPs", "network", "/floatingips", "floatingips", floatingIpSchema, { query, signal });
  }

  /** Allocates a floating IP on `networkId` and attaches it to `portId`, in one call. */
  async createFloatingIp(networkId: string, portId: string, signal?: AbortSignal): Promise<FloatingIp> {
    const answer = await this.session.call("CreateFloatingIP", "network", "POST", "/floatingips", {
      body: { floatingip: { floating_network_id: networkId, port_id: portId } },
      schema: z.looseObject({ floatingip: floatingIpSchema }),
      signal,
    });
    return answer.floatingip;
  }

  deleteFloatingIp(id: string, signal?: AbortSignal): Promise<void> {
    return this.session.call("DeleteFloatingIP", "network", "DELETE", `/floatingips/${encodeURIComponent(id)}`, { signal });
  }
}
