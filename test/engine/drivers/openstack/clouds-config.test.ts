import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CloudConfigError, loadCloudConfig } from "../../../../engine/drivers/openstack/index.ts";

const clouds = `clouds:
  mycloud:
    auth:
      auth-url: https://keystone.example.test:5000
      username: ci
      project_name: ci-project
      user_domain_name: Default
      project_domain_id: default
    regions: [ONE, TWO]
    interface: internal
    image_format: raw
    compute_endpoint_override: https://nova.example.test/v2.1
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.test/v3
      application_credential_id: abc
      application_credential_secret: s3cret
`;

function dir(): string {
  return mkdtempSync(join(tmpdir(), "clouds-"));
}

test("clouds.yaml is found where openstacksdk looks, in its order, and secure.yaml is merged over it", () => {
  const home = dir();
  const cwd = dir();
  mkdirSync(join(home, ".config", "openstack"), { recursive: true });
  writeFileSync(join(home, ".config", "openstack", "clouds.yaml"), clouds);
  writeFileSync(join(home, ".config", "openstack", "secure.yaml"), "clouds:\n  mycloud:\n    auth:\n      password: from-secure\n");
  const fromHome = loadCloudConfig("mycloud", null, { HOME: home }, cwd);
  assert.equal(fromHome.region, "ONE");
  assert.equal(fromHome.interface, "internal");
  assert.equal(fromHome.imageFormat, "raw");
  assert.deepEqual(fromHome.endpointOverrides, { compute: "https://nova.example.test/v2.1" });
  assert.deepEqual(fromHome.auth, {
    kind: "password",
    authUrl: "https://keystone.example.test:5000",
    user: { name: "ci", domain: { name: "Default" } },
    password: "from-secure",
    project: { name: "ci-project", domain: { id: "default" } },
  });
  // ./clouds.yaml comes before the home directory's; OS_CLIENT_CONFIG_FILE before both.
  writeFileSync(join(cwd, "clouds.yaml"), clouds.replace("ci-project", "cwd-project"));
  const fromCwd = loadCloudConfig("mycloud", "TWO", { HOME: home }, cwd);
  assert.equal(fromCwd.region, "TWO");
  assert.equal(fromCwd.auth.kind === "password" && "name" in fromCwd.auth.project && fromCwd.auth.project.name, "cwd-project");
  const explicit = join(dir(), "other.yaml");
  writeFileSync(explicit, clouds.replace("ci-project", "env-project"));
  const fromEnv = loadCloudConfig("mycloud", null, { HOME: home, OS_CLIENT_CONFIG_FILE: explicit }, cwd);
  assert.equal(fromEnv.auth.kind === "password" && "name" in fromEnv.auth.project && fromEnv.auth.project.name, "env-project");
  assert.deepEqual(loadCloudConfig("appcred", null, { HOME: home }, cwd).auth, {
    kind: "application-credential",
    authUrl: "https://keystone.example.test/v3",
    credential: { id: "abc", secret: "s3cret" },
  });
});

test("a missing file, cloud, region or password is reported with where it was looked for", () => {
  const home = dir();
  const cwd = dir();
  assert.throws(() => loadCloudConfig("mycloud", null, { HOME: home }, cwd), (e: unknown) => e instanceof CloudConfigError && /no clouds.yaml found \(looked at .*clouds.yaml/.test(e.message));
  writeFileSync(join(cwd, "clouds.yaml"), clouds);
  assert.throws(() => loadCloudConfig("nope", null, { HOME: home }, cwd), /cloud nope is not in .*clouds.yaml \(it has: appcred, mycloud\)/);
  assert.throws(() => loadCloudConfig("mycloud", "THREE", { HOME: home }, cwd), /region THREE is not among its regions \(ONE, TWO\)/);
  assert.throws(() => loadCloudConfig("mycloud", null, { HOME: home }, cwd), /auth.password is missing \(it may live in secure.yaml\)/);
});
