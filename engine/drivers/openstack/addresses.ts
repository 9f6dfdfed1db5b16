/**
 * A server's addresses as the reference reads them (openstacksdk's meta): a floating IP or a
 * globally routable fixed IPv4 is public, an RFC 1918 fixed IPv4 private, a global IPv6 public;
 * the interface IP is the public IPv4, else the private one, unless IPv6 is preferred and
 * present.
 */
import { BlockList, isIPv4 } from "node:net";
import type { NovaServer } from "./nova.ts";

export interface ServerAddresses {
  publicV4: string;
  privateV4: string;
  publicV6: string;
  interfaceIp: string;
}

const privateV4 = new BlockList();
for (const [net, prefix] of [["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], ["100.64.0.0", 10], ["169.254.0.0", 16]] as const) {
  privateV4.addSubnet(net, prefix, "ipv4");
}
const localV6 = new BlockList();
localV6.addSubnet("fe80::", 10, "ipv6");
localV6.addSubnet("fc00::", 7, "ipv6");

/** `floatingV4` is a floating IP known from Neutron but perhaps not yet in Nova's address cache. */
export function serverAddresses(server: Pick<NovaServer, "addresses" | "accessIPv4" | "accessIPv6">, options: { floatingV4?: string | null; preferIpv6?: boolean } = {}): ServerAddresses {
  let publicV4 = options.floatingV4 ?? "";
  let fixedPublicV4 = "";
  let privV4 = "";
  let publicV6 = "";
  for (const addresses of Object.values(server.addresses)) {
    for (const a of addresses) {
      const floating = a["OS-EXT-IPS:type"] === "floating";
      if (a.version === 4 && isIPv4(a.addr)) {
        if (floating) publicV4 ||= a.addr;
        else if (privateV4.check(a.addr, "ipv4")) privV4 ||= a.addr;
        else fixedPublicV4 ||= a.addr;
      } else if (a.version === 6 && !localV6.check(a.addr, "ipv6")) {
        publicV6 ||= a.addr;
      }
    }
  }
  publicV4 ||= fixedPublicV4 || (server.accessIPv4 ?? "");
  publicV6 ||= server.accessIPv6 ?? "";
  const interfaceIp = options.preferIpv6 && publicV6 ? publicV6 : publicV4 || privV4 || publicV6;
  return { publicV4, privateV4: privV4, publicV6, interfaceIp };
}

/** Whether the server needs a floating IP to be reachable from outside (no public IPv4 yet). */
export function needsFloatingIp(addresses: ServerAddresses): boolean {
  return addresses.publicV4 === "" && addresses.privateV4 !== "";
}
