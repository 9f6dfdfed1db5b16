/**
 * Nova (compute v2.1): flavors, servers, limits, availability zones, console output. Calls use
 * microversion 2.47, which puts each server's flavor (vcpus, ram) in its listing, so one
 * `GET /servers/detail` gives everything the launcher needs about every server.
 */
import { z } from "zod";
import type { Session } from "./session.ts";

const MICROVERSION = "2.47";
const headers = { "openstack-api-version": `compute ${MICROVERSION}`, "x-openstack-nova-api-version": MICROVERSION };

export const flavorSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  ram: z.number(),
  vcpus: z.number(),
  disk: z.number().optional(),
});
export type NovaFlavor = z.output<typeof flavorSchema>;

const addressSchema = z.looseObject({
  addr: z.string(),
  version: z.number(),
  "OS-EXT-IPS:type": z.string().optional(),
});
export type NovaAddress = z.output<typeof addressSchema>;

export const serverSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  metadata: z.record(z.string(), z.string()).default({}),
  "OS-EXT-AZ:availability_zone": z.string().nullish(),
  flavor: z.looseObject({ vcpus: z.number().optional(), ram: z.number().optional(), original_name: z.string().optional() }).optional(),
  addresses: z.record(z.string(), z.array(addressSchema)).default({}),
  hostId: z.string().nullish(),
  accessIPv4: z.string().nullish(),
  accessIPv6: z.string().nullish(),
  fault: z.looseObject({ message: z.string().optional(), code: z.number().optional(), details: z.string().optional() }).nullish(),
});
export type NovaServer = z.output<typeof serverSchema>;

const limitsSchema = z.looseObject({
  limits: z.looseObject({
    absolute: z.looseObject({
      maxTotalInstances: z.number(),
      maxTotalCores: z.number(),
      maxTotalRAMSize: z.number(),
      totalInstancesUsed: z.number().optional(),
      totalCoresUsed: z.number().optional(),
      totalRAMUsed: z.number().optional(),
    }),
  }),
});
export type NovaLimits = z.output<typeof limitsSchema>["limits"]["absolute"];

export interface CreateServerRequest {
  name: string;
  flavorRef: string;
  /** Null when booting from a volume made from `volume.imageRef`. */
  imageRef: string | null;
  networks: readonly string[];
  securityGroups: readonly string[];
  availabilityZone: string | null;
  keyName: string | null;
  userData: string | null;
  configDrive: boolean | null;
  metadata: Readonly<Record<string, string>>;
  volume: { imageRef: string; size: number } | null;
}

export class Nova {
  constructor(private readonly session: Session) {}

  listFlavors(signal?: AbortSignal): Promise<NovaFlavor[]> {
    return this.session.list("ListFlavors", "compute", "/flavors/detail", "flavors", flavorSchema, { headers, signal });
  }

  /** Every server of the project, in one listing (paged by the cloud when it is long). */
  listServers(signal?: AbortSignal): Promise<NovaServer[]> {
    return this.session.list("ListServers", "compute", "/servers/detail", "servers", serverSchema, { headers, signal });
  }

  async getServer(id: string, signal?: AbortSignal): Promise<NovaServer> {
    return (await this.session.call("GetServer", "compute", "GET", `/servers/${encodeURIComponent(id)}`, { headers, schema: z.looseObject({ server: serverSchema }), signal })).server;
  }

  async createServer(request: CreateServerRequest, signal?: AbortSignal): Promise<string> {
    const server: Record<string, unknown> = {
      name: request.name,
      flavorRef: request.flavorRef,
      imageRef: request.imageRef ?? "",
      // From 2.37 on Nova wants networks spelt out; "auto" is the project's own network.
      networks: request.networks.length > 0 ? request.networks.map((uuid) => ({ uuid })) : "auto",
      metadata: request.metadata,
    };
    if (request.securityGroups.length > 0) server.security_groups = request.securityGroups.map((name) => ({ name }));
    if (request.availabilityZone) server.availability_zone = request.availabilityZone;
    if (request.keyName) server.key_name = request.keyName;
    if (request.userData !== null) server.user_data = Buffer.from(request.userData).toString("base64");
    if (request.configDrive !== null) server.config_drive = request.configDrive;
    if (request.volume) {
      server.block_device_mapping_v2 = [
        { boot_index: 0, uuid: request.volume.imageRef, source_type: "image", destination_type: "volume", volume_size: request.volume.size, delete_on_termination: true },
      ];
    }
    const answer = await this.session.call("CreateServer", "compute", "POST", "/servers", {
      headers,
      body: { server },
      schema: z.looseObject({ server: z.looseObject({ id: z.string() }) }),
      signal,
    });
    return answer.server.id;
  }

  deleteServer(id: string, signal?: AbortSignal): Promise<void> {
    return this.session.call("DeleteServer", "compute", "DELETE", `/servers/${encodeURIComponent(id)}`, { headers, signal });
  }

  async limits(signal?: AbortSignal): Promise<NovaLimits> {
    return (await this.session.call("GetLimits", "compute", "GET", "/limits", { headers, schema: limitsSchema, signal })).limits.absolute;
  }

  /** The zones servers can be placed in (those Nova reports available). */
  async availabilityZones(signal?: AbortSignal): Promise<string[]> {
    const answer = await this.session.call("ListAvailabilityZones", "compute", "GET", "/os-availability-zone", {
      headers,
      schema: z.looseObject({
        availabilityZoneInfo: z.array(z.looseObject({ zoneName: z.string(), zoneState: z.looseObject({ available: z.boolean() }) })),
      }),
      signal,
    });
    return answer.availabilityZoneInfo.filter((z) => z.zoneState.available).map((z) => z.zoneName);
  }

  async consoleLog(id: string, signal?: AbortSignal): Promise<string> {
    const answer = await this.session.call("GetConsoleOutput", "compute", "POST", `/servers/${encodeURIComponent(id)}/action`, {
      headers,
      body: { "os-getConsoleOutput": { length: 200 } },
      schema: z.looseObject({ output: z.string() }),
      signal,
    });
    return answer.output;
  }
}
