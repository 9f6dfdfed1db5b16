/**
 * A small typed OpenStack client: one authenticated session and one module per service,
 * holding only what the driver needs. Every call is counted per operation, so the driver can
 * tell how many API calls a launched node cost.
 */
import { loadCloudConfig, type CloudConfig } from "./clouds-config.ts";
import { Glance } from "./glance.ts";
import { Neutron } from "./neutron.ts";
import { Nova } from "./nova.ts";
import { Session, type SessionOptions } from "./session.ts";

export interface ClientOptions extends SessionOptions {
  /** Overrides the cloud's region_name. */
  region?: string | null;
  /** Where clouds.yaml is looked for (tests); defaults to the process's. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export class OpenStackClient {
  readonly session: Session;
  readonly nova: Nova;
  readonly neutron: Neutron;
  readonly glance: Glance;
  /** API calls made so far, by operation (`ListServers`, `CreateServer`, ...). */
  readonly calls = new Map<string, number>();

  constructor(readonly cloud: CloudConfig, options: SessionOptions = {}) {
    this.session = new Session(cloud, options);
    this.session.onCall((call) => this.calls.set(call.operation, (this.calls.get(call.operation) ?? 0) + 1));
    this.nova = new Nova(this.session);
    this.neutron = new Neutron(this.session);
    this.glance = new Glance(this.session);
  }

  /** The client of cloud `name` in clouds.yaml (and secure.yaml), found where openstacksdk looks. */
  static fromCloudsYaml(name: string, options: ClientOptions = {}): OpenStackClient {
    return new OpenStackClient(loadCloudConfig(name, options.region ?? null, options.env, options.cwd), options);
  }

  get totalCalls(): number {
    let total = 0;
    for (const n of this.calls.values()) total += n;
    return total;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
