/**
 * The cloud a provider's `cloud:` names, read as openstacksdk reads it: clouds.yaml from
 * OS_CLIENT_CONFIG_FILE or the first of ./clouds.yaml, ~/.config/openstack/clouds.yaml,
 * /etc/openstack/clouds.yaml; secure.yaml (OS_CLIENT_SECURE_FILE or the same places) merged
 * over it, so passwords can live apart. Keys may be written with `-` or `_`.
 */
import { readFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CloudConfigError } from "./errors.ts";

export type Interface = "public" | "internal" | "admin";
export type ServiceType = "compute" | "network" | "image";

export type CloudAuth =
  | {
      kind: "password";
      authUrl: string;
      user: { id: string } | { name: string; domain: DomainRef };
      password: string;
      project: { id: string } | { name: string; domain: DomainRef };
    }
  | {
      kind: "application-credential";
      authUrl: string;
      credential: { id: string; secret: string } | { name: string; secret: string; user: { id: string } | { name: string; domain: DomainRef } };
    };

export type DomainRef = { id: string } | { name: string };

export interface CloudConfig {
  /** The cloud's name in clouds.yaml. */
  name: string;
  region: string | null;
  interface: Interface;
  auth: CloudAuth;
  /** Verify TLS certificates (`verify: false` turns it off); `cacert` adds a CA bundle. */
  verify: boolean;
  cacert: string | null;
  /** The disk format uploads use (`image_format`, qcow2 unless the cloud says otherwise). */
  imageFormat: string;
  /** `<service>_endpoint_override`: a URL used instead of the catalog's. */
  endpointOverrides: Partial<Record<ServiceType, string>>;
  /** The files it was read from, for messages. */
  files: string[];
}

/** Where openstacksdk looks, in order; the first file that exists is used. */
export function configCandidates(kind: "clouds" | "secure", env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string[] {
  const override = kind === "clouds" ? env.OS_CLIENT_CONFIG_FILE : env.OS_CLIENT_SECURE_FILE;
  if (override) return [override];
  const home = env.HOME ?? homedir();
  return [join(cwd, `${kind}.yaml`), join(home, ".config", "openstack", `${kind}.yaml`), `/etc/openstack/${kind}.yaml`];
}

const record = z.record(z.string(), z.unknown());
const fileSchema = z.looseObject({ clouds: z.record(z.string(), record).optional() });

function readYaml(file: string): z.output<typeof fileSchema> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CloudConfigError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = fileSchema.safeParse(parseYaml(text) ?? {});
  if (!parsed.success) throw new CloudConfigError(`${file} is not a clouds.yaml file: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** openstacksdk accepts `auth-url` and `auth_url` alike. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll("-", "_"), normalise(v)]));
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] =
      value && typeof value === "object" && !Array.isArray(value) && prior && typeof prior === "object" && !Array.isArray(prior)
        ? merge(prior as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

const text = z.union([z.string(), z.number()]).transform(String);
const authSchema = z.looseObject({
  auth_url: text.optional(),
  username: text.optional(),
  user_id: text.optional(),
  password: text.optional(),
  project_name: text.optional(),
  project_id: text.optional(),
  tenant_name: text.optional(),
  tenant_id: text.optional(),
  user_domain_name: text.optional(),
  user_domain_id: text.optional(),
  project_domain_name: text.optional(),
  project_domain_id: text.optional(),
  domain_name: text.optional(),
  domain_id: text.optional(),
  application_credential_id: text.optional(),
  application_credential_name: text.optional(),
  application_credential_secret: text.optional(),
});
const regionSchema = z.union([text, z.looseObject({ name: text })]);
const cloudSchema = z.looseObject({
  auth: authSchema.default({}),
  auth_type: z.string().default("password"),
  region_name: text.optional(),
  regions: z.array(regionSchema).optional(),
  interface: z.enum(["public", "internal", "admin"]).default("public"),
  verify: z.boolean().default(true),
  cacert: z.string().optional(),
  image_format: z.string().default("qcow2"),
  compute_endpoint_override: z.string().optional(),
  network_endpoint_override: z.string().optional(),
  image_endpoint_override: z.string().optional(),
});

/** Reads and resolves cloud `name` (and `region`, overriding the cloud's own region_name). */
export function loadCloudConfig(name: string, region: string | null = null, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CloudConfig {
  const cloudsCandidates = configCandidates("clouds", env, cwd);
  const cloudsFile = cloudsCandidates.find((f) => existsSync(f));
  if (!cloudsFile) {
    throw new CloudConfigError(`cloud ${name}: no clouds.yaml found (looked at ${cloudsCandidates.join(", ")}); set OS_CLIENT_CONFIG_FILE or create one of them`);
  }
  const files = [resolve(cloudsFile)];
  const clouds = readYaml(cloudsFile).clouds ?? {};
  let raw = clouds[name];
  if (!raw) throw new CloudConfigError(`cloud ${name} is not in ${cloudsFile} (it has: ${Object.keys(clouds).sort().join(", ") || "none"})`);
  const secureFile = configCandidates("secure", env, cwd).find((f) => existsSync(f));
  const secure = secureFile ? readYaml(secureFile).clouds?.[name] : undefined;
  if (secureFile && secure) {
    raw = merge(raw, secure);
    files.push(resolve(secureFile));
  }
  const parsed = cloudSchema.safeParse(normalise(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CloudConfigError(`cloud ${name} in ${files.join(" + ")}: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const cloud = parsed.data;
  const where = `cloud ${name} in ${files.join(" + ")}`;
  const regions = (cloud.regions ?? []).map((r) => (typeof r === "string" ? r : r.name));
  const chosenRegion = region ?? cloud.region_name ?? regions[0] ?? null;
  if (region !== null && regions.length > 0 && !regions.includes(region)) {
    throw new CloudConfigError(`${where}: region ${region} is not among its regions (${regions.join(", ")})`);
  }
  const endpointOverrides: Partial<Record<ServiceType, string>> = {};
  for (const service of ["compute", "network", "image"] as const) {
    const url = cloud[`${service}_endpoint_override`];
    if (url) endpointOverrides[service] = url;
  }
  return {
    name,
    region: chosenRegion,
    interface: cloud.interface,
    auth: resolveAuth(cloud.auth_type, cloud.auth, where),
    verify: cloud.verify,
    cacert: cloud.cacert ?? null,
    imageFormat: cloud.image_format,
    endpointOverrides,
    files,
  };
}

function resolveAuth(type: string, auth: z.output<typeof authSchema>, where: string): CloudAuth {
  if (!auth.auth_url) throw new CloudConfigError(`${where}: auth.auth_url is missing`);
  const authUrl = auth.auth_url;
  const domain = (id: string | undefined, name: string | undefined): DomainRef =>
    id !== undefined ? { id } : name !== undefined ? { name } : auth.domain_id !== undefined ? { id: auth.domain_id } : auth.domain_name !== undefined ? { name: auth.domain_name } : { id: "default" };
  const user = () => {
    if (auth.user_id !== undefined) return { id: auth.user_id };
    if (auth.username !== undefined) return { name: auth.username, domain: domain(auth.user_domain_id, auth.user_domain_name) };
    throw new CloudConfigError(`${where}: auth.username (or user_id) is missing`);
  };
  switch (type.replaceAll("-", "_")) {
    case "password":
    case "v3password": {
      if (auth.password === undefined) throw new CloudConfigError(`${where}: auth.password is missing (it may live in secure.yaml)`);
      const projectId = auth.project_id ?? auth.tenant_id;
      const projectName = auth.project_name ?? auth.tenant_name;
      if (projectId === undefined && projectName === undefined) {
        throw new CloudConfigError(`${where}: auth.project_name (or project_id) is missing; a project-scoped token is needed to launch servers`);
      }
      return {
        kind: "password",
        authUrl,
        user: user(),
        password: auth.password,
        project: projectId !== undefined ? { id: projectId } : { name: projectName as string, domain: domain(auth.project_domain_id, auth.project_domain_name) },
      };
    }
    case "v3applicationcredential": {
      const secret = auth.application_credential_secret;
      if (secret === undefined) throw new CloudConfigError(`${where}: auth.application_credential_secret is missing`);
      if (auth.application_credential_id !== undefined) {
        return { kind: "application-credential", authUrl, credential: { id: auth.application_credential_id, secret } };
      }
      if (auth.application_credential_name !== undefined) {
        return { kind: "application-credential", authUrl, credential: { name: auth.application_credential_name, secret, user: user() } };
      }
      throw new CloudConfigError(`${where}: auth.application_credential_id (or _name with a user) is missing`);
    }
    default:
      throw new CloudConfigError(`${where}: auth_type ${type} is not supported (use password or v3applicationcredential)`);
  }
}
