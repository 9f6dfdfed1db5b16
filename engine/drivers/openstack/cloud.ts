/**
 * One provider's view of its OpenStack cloud, in the driver's terms: cached flavors, networks
 * and images; servers created, watched to ACTIVE and deleted until gone through one shared
 * listing per interval; floating IPs allocated onto a server's port and removed with it; leaked
 * ports and floating IPs; Glance uploads. The provider (./provider.ts) maps Nodepool's config and
 * records onto these calls.
 */
import type { Logger } from "../../log.ts";
import { serverAddresses, type ServerAddresses } from "./addresses.ts";
import type { OpenStackClient } from "./client.ts";
import { OpenStackApiError, OpenStackNotFoundError, OpenStackResponseError } from "./errors.ts";
import { Coalescer, ListingWatch } from "./listing.ts";
import type { FloatingIp, Network } from "./neutron.ts";
import type { CreateServerRequest, NovaFlavor, NovaServer } from "./nova.ts";
import type { GlanceImage } from "./glance.ts";

/** Nova statuses that are the end of a boot. */
const BOOT_DONE = new Set(["ACTIVE", "ERROR", "SHUTOFF", "DELETED", "SOFT_DELETED"]);

export class ServerFailedError extends OpenStackResponseError {}

export interface CloudOptions {
  provider: string;
  log: Logger;
  /** How often the shared server listing runs while anything waits on a server. */
  pollIntervalMs: number;
}

export class OpenStackCloud {
  readonly serverListing: Coalescer<NovaServer>;
  private readonly watch: ListingWatch<NovaServer>;
  private readonly floatingIps: Coalescer<FloatingIp>;
  private flavorCache: Promise<NovaFlavor[]> | null = null;
  private networkCache = new Map<string, Promise<string>>();
  private externalNetwork: Promise<Network | null> | null = null;
  private imageCache = new Map<string, Promise<string | null>>();
  private azCache: Promise<string[]> | null = null;

  constructor(
    readonly client: OpenStackClient,
    private readonly options: CloudOptions,
  ) {
    this.serverListing = new Coalescer(() => client.nova.listServers());
    this.watch = new ListingWatch(this.serverListing, options.pollIntervalMs, (error) =>
      options.log.warn({ err: error, provider: options.provider }, "listing servers failed; retrying"),
    );
    this.floatingIps = new Coalescer(() => client.neutron.listFloatingIps());
  }

  flavors(signal?: AbortSignal): Promise<NovaFlavor[]> {
    this.flavorCache ??= this.client.nova.listFlavors(signal).catch((error: unknown) => {
      this.flavorCache = null;
      throw error;
    });
    return this.flavorCache;
  }

  availabilityZones(signal?: AbortSignal): Promise<string[]> {
    this.azCache ??= this.client.nova.availabilityZones(signal).catch((error: unknown) => {
      this.azCache = null;
      throw error;
    });
    return this.azCache;
  }

  /** A network's id from its name or id (cached). */
  networkId(nameOrId: string, signal?: AbortSignal): Promise<string> {
    let found = this.networkCache.get(nameOrId);
    if (!found) {
      found = (async () => {
        const [byId] = await this.client.neutron.listNetworks({ id: nameOrId }, signal).catch(() => []);
        if (byId) return byId.id;
        const byName = await this.client.neutron.listNetworks({ name: nameOrId }, signal);
        if (byName.length === 1 && byName[0]) return byName[0].id;
        throw new OpenStackResponseError(
          byName.length === 0 ? `network ${nameOrId} does not exist in cloud ${this.client.cloud.name}` : `network name ${nameOrId} is ambiguous (${byName.length} networks); use its id`,
        );
      })();
      found.catch(() => this.networkCache.delete(nameOrId));
      this.networkCache.set(nameOrId, found);
    }
    return found;
  }

  /** An image's id from its name or id (cached), or null when there is none. */
  imageId(nameOrId: string, signal?: AbortSignal): Promise<string | null> {
    let found = this.imageCache.get(nameOrId);
    if (!found) {
      found = (async () => {
        const byId = await this.client.glance.getImage(nameOrId, signal).catch((error: unknown) => {
          if (error instanceof OpenStackNotFoundError || (error instanceof OpenStackApiError && error.status === 400)) return null;
          throw error;
        });
        if (byId) return byId.id;
        const active = (await this.client.glance.findByName(nameOrId, signal)).filter((i) => i.status === "active");
        return active[0]?.id ?? null;
      })();
      found.then(
        (id) => id ?? this.imageCache.delete(nameOrId),
        () => this.imageCache.delete(nameOrId),
      );
      this.imageCache.set(nameOrId, found);
    }
    return found;
  }

  /** After Nova refused a create with 400, what it was given may be stale: look again next time. */
  forgetCaches(): void {
    this.flavorCache = null;
    this.azCache = null;
    this.imageCache.clear();
  }

  createServer(request: CreateServerRequest, signal?: AbortSignal): Promise<string> {
    return this.client.nova.createServer(request, signal);
  }

  /** Waits until the server has left BUILD; throws ServerFailedError with Nova's fault when it is not ACTIVE. */
  async waitBooted(id: string, signal?: AbortSignal): Promise<NovaServer> {
    const server = await this.watch.waitFor(id, (s) => s === undefined || BOOT_DONE.has(s.status), signal);
    if (!server) throw new ServerFailedError(`server ${id} disappeared while booting`);
    if (server.status !== "ACTIVE") {
      // Nova sets ERROR just before it records the fault: a listing in between has none yet.
      const fault = server.fault ?? (await this.client.nova.getServer(id, signal).then((s) => s.fault, () => null));
      const why = fault?.message ? `: ${fault.message}${fault.code ? ` (code ${fault.code})` : ""}` : "";
      throw new ServerFailedError(`server ${id} is ${server.status}, not ACTIVE${why}`);
    }
    return server;
  }

  /** The external network floating IPs come from (the first the project sees), or null. */
  floatingNetwork(signal?: AbortSignal): Promise<Network | null> {
    this.externalNetwork ??= this.client.neutron.listNetworks({ "router:external": true }, signal).then(
      (nets) => nets[0] ?? null,
      (error: unknown) => {
        this.externalNetwork = null;
        throw error;
      },
    );
    return this.externalNetwork;
  }

  /** Allocates a floating IP onto the server's port (the one carrying `fixedIp`). */
  async attachFloatingIp(server: NovaServer, fixedIp: string, signal?: AbortSignal): Promise<FloatingIp> {
    const network = await this.floatingNetwork(signal);
    if (!network) throw new OpenStackResponseError(`cloud ${this.client.cloud.name} has no external network to take a floating IP from`);
    const ports = await this.client.neutron.listPorts({ device_id: server.id }, signal);
    const port = ports.find((p) => p.fixed_ips.some((ip) => ip.ip_address === fixedIp)) ?? ports[0];
    if (!port) throw new OpenStackResponseError(`server ${server.id} has no port to attach a floating IP to`);
    return this.client.neutron.createFloatingIp(network.id, port.id, signal);
  }

  addresses(server: NovaServer, floatingV4: string | null = null): ServerAddresses {
    return serverAddresses(server, { floatingV4 });
  }

  /**
   * Deletes the server's floating IPs, then the server; a server already gone counts as
   * deleted. The floating IPs are found in one project-wide listing shared by concurrent
   * deletions.
   */
  async deleteServer(id: string, signal?: AbortSignal): Promise<void> {
    const { items } = await this.floatingIps.next();
    let mine = items.filter((f) => portDevice(f) === id);
    // Without Neutron's fip-port-details the server's ports tell which are its floating IPs.
    if (items.some((f) => f.port_id !== null && !("port_details" in f))) {
      const ports = new Set((await this.client.neutron.listPorts({ device_id: id }, signal)).map((p) => p.id));
      mine = items.filter((f) => f.port_id !== null && ports.has(f.port_id));
    }
    for (const fip of mine) {
      await this.client.neutron.deleteFloatingIp(fip.id, signal).catch((error: unknown) => {
        if (!(error instanceof OpenStackNotFoundError)) throw error;
      });
    }
    try {
      await this.client.nova.deleteServer(id, signal);
    } catch (error) {
      if (error instanceof OpenStackNotFoundError) return;
      throw error;
    }
  }

  /** Waits until the server is no longer listed (or listed DELETED). */
  async waitGone(id: string, signal?: AbortSignal): Promise<void> {
    await this.watch.waitFor(id, (s) => s === undefined || s.status === "DELETED", signal);
  }

  /** Deletes floating IPs attached to nothing; returns how many. */
  async deleteUnattachedFloatingIps(signal?: AbortSignal): Promise<number> {
    const { items } = await this.floatingIps.next();
    let deleted = 0;
    for (const fip of items.filter((f) => f.port_id === null)) {
      try {
        await this.client.neutron.deleteFloatingIp(fip.id, signal);
        deleted++;
      } catch (error) {
        if (!(error instanceof OpenStackNotFoundError)) this.options.log.warn({ err: error, provider: this.options.provider, floatingIp: fip.id }, "deleting a leaked floating IP failed");
      }
    }
    return deleted;
  }

  /**
   * Compute ports (no owner, or `compute:*`) that are DOWN and belong to no existing server.
   * (A port whose server exists is not a leak, whatever its status: on clouds without a
   * dataplane agent ports of live servers stay DOWN.)
   */
  async downComputePorts(signal?: AbortSignal): Promise<Set<string>> {
    const [ports, { items: servers }] = await Promise.all([this.client.neutron.listPorts({ status: "DOWN" }, signal), this.serverListing.next()]);
    const live = new Set(servers.map((s) => s.id));
    return new Set(
      ports.filter((p) => (p.device_owner === "" || p.device_owner.startsWith("compute:")) && !live.has(p.device_id)).map((p) => p.id),
    );
  }

  async deletePorts(ids: Iterable<string>, signal?: AbortSignal): Promise<number> {
    let deleted = 0;
    for (const id of ids) {
      try {
        await this.client.neutron.deletePort(id, signal);
        deleted++;
      } catch (error) {
        if (!(error instanceof OpenStackNotFoundError)) this.options.log.warn({ err: error, provider: this.options.provider, port: id }, "deleting a leaked port failed");
      }
    }
    return deleted;
  }

  /** Creates the image record, streams the file, and waits until Glance says active. */
  async uploadImage(
    name: string,
    file: string,
    diskFormat: string,
    properties: Readonly<Record<string, string>>,
    created: (id: string) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<GlanceImage> {
    const image = await this.client.glance.createImage(name, diskFormat, properties, signal);
    await created(image.id);
    await this.client.glance.uploadData(image.id, file, signal);
    for (;;) {
      const current = await this.client.glance.getImage(image.id, signal);
      if (current.status === "active") return current;
      if (current.status !== "queued" && current.status !== "saving" && current.status !== "importing" && current.status !== "uploading") {
        throw new OpenStackResponseError(`image ${image.id} (${name}) is ${current.status} after its upload`);
      }
      await new Promise((r) => setTimeout(r, this.options.pollIntervalMs));
      signal?.throwIfAborted();
    }
  }

  /** The images this project owns. */
  async ownImages(signal?: AbortSignal): Promise<GlanceImage[]> {
    return this.client.glance.listOwned(await this.client.session.projectId(signal), signal);
  }

  async deleteImage(id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.glance.deleteImage(id, signal);
    } catch (error) {
      if (!(error instanceof OpenStackNotFoundError)) throw error;
    }
  }
}

/** The server a floating IP's port belongs to (Neutron's fip-port-details), or null. */
function portDevice(fip: FloatingIp): string | null {
  const details = (fip as { port_details?: { device_id?: unknown } | null }).port_details;
  return typeof details?.device_id === "string" ? details.device_id : null;
}
