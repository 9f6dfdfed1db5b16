import { test } from "node:test";
import assert from "node:assert/strict";
import type { ProviderConfig } from "../../schema/index.ts";
import { loadConfigText } from "../../schema/index.ts";
import { fixtures } from "./_fixtures.ts";
import { loadValid } from "./_load.ts";

function fixtureConfig(name: string) {
  const fixture = fixtures().find((f) => f.name === name);
  assert.ok(fixture, name);
  const result = loadConfigText(fixture.text, name);
  assert.ok(result.ok);
  return result.config;
}

function provider<D extends ProviderConfig["driver"]>(p: ProviderConfig | undefined, driver: D): Extract<ProviderConfig, { driver: D }> {
  assert.equal(p?.driver, driver);
  return p as Extract<ProviderConfig, { driver: D }>;
}

test("top-level defaults (spec/config.md §2)", () => {
  const { config } = loadValid("labels: []\n");
  assert.deepEqual(
    {
      webapp: config.webapp,
      "build-log-dir": config["build-log-dir"],
      "build-log-retention": config["build-log-retention"],
      "max-hold-age": config["max-hold-age"],
      "images-dir": config["images-dir"],
    },
    {
      webapp: { port: 8005, listen_address: "0.0.0.0" },
      "build-log-dir": "/var/log/nodepool/builds",
      "build-log-retention": 7,
      "max-hold-age": 0,
      "images-dir": undefined,
    },
  );
});

test("node.yaml: OpenStack provider, pool, label and diskimage defaults; int release as a string", () => {
  const config = fixtureConfig("node.yaml");
  const p = provider(config.providers[0], "fake");
  assert.equal(p["max-concurrency"], -1);
  assert.equal(p["boot-timeout"], 60);
  assert.equal(p["launch-timeout"], 3600);
  assert.equal(p["launch-retries"], 3);
  assert.equal(p.rate, 0.0001);
  assert.equal(p["hostname-format"], "{label.name}-{provider.name}-{node.id}");
  assert.equal(p["image-name-format"], "{image_name}-{timestamp}");
  assert.equal(p["clean-floating-ips"], false);
  assert.deepEqual(p.diskimages[0], { name: "fake-image", pause: false, meta: { key: "value", key2: "value" }, "connection-type": "ssh", "connection-port": 22 });
  const pool = p.pools[0]!;
  assert.equal(pool["max-servers"], 96);
  assert.equal(pool["auto-floating-ip"], true);
  assert.equal(pool["host-key-checking"], true);
  assert.equal(pool["ignore-provider-quota"], false);
  assert.deepEqual(pool["security-groups"], []);
  const label = pool.labels[0]!;
  assert.deepEqual(
    [label["min-ram"], label["flavor-name"], label["console-log"], label["boot-from-volume"], label["volume-size"]],
    [8192, "Fake", false, false, 50],
  );
  const image = config.diskimages[0]!;
  assert.deepEqual(
    [image.release, image.pause, image["rebuild-age"], image.username, image["build-timeout"], image.formats],
    ["21", false, 86400, "zuul", 28800, []],
  );
  assert.equal(config.labels[0]?.["max-ready-age"], 0);
  assert.deepEqual(config["zookeeper-servers"][0], { host: "zk1.example.org", port: 2181, chroot: "/nodepool-test/fixture" });
});

test("connection ports: 5986 for winrm cloud-images, 22 otherwise; static nodes always 22", () => {
  const config = fixtureConfig("node_unmanaged_image.yaml");
  const images = provider(config.providers[0], "fake")["cloud-images"];
  assert.deepEqual(
    images.map((i) => [i.name, i["connection-type"], i["connection-port"]]),
    [
      ["fake-image", "ssh", 22],
      ["fake-image-windows", "winrm", 5986],
      ["fake-image-windows-port", "winrm", 1234],
    ],
  );
  const { config: rack } = loadValid(`labels: [{name: win}, {name: a}]
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
          - {name: h1, labels: win, connection-type: winrm}
          - {name: h2, labels: [a], ssh-port: 2222, host-key: k}
`);
  const nodes = provider(rack.providers[0], "static").pools[0]!.nodes;
  assert.deepEqual(
    nodes.map((n) => [n.name, n.labels, n["connection-port"], n["host-key"], n.username, n.timeout, n["max-parallel-jobs"]]),
    [
      ["h1", ["win"], 22, undefined, "zuul", 5, 1],
      ["h2", ["a"], 2222, ["k"], "zuul", 5, 1],
    ],
  );
  assert.equal("ssh-port" in nodes[1]!, false);
});

test("Kubernetes, OpenShift, AWS and the fake cloud's defaults", () => {
  const config = fixtureConfig("config_validate/good.yaml");
  const k8s = provider(config.providers[3], "kubernetes");
  assert.equal(k8s["launch-retries"], 3);
  assert.equal(k8s.pools[0]?.labels[0]?.["image-pull"], "IfNotPresent");
  const aws = provider(config.providers[5], "aws");
  assert.equal(aws["boot-timeout"], 60);
  assert.equal(aws.pools[0]?.["host-key-checking"], true);
  assert.equal(aws["cloud-images"][0]?.["connection-port"], 22);

  const { config: fake } = loadValid("providers:\n  - name: f\n    driver: fake\n    cloud: fake\n    fake-cloud: {max-instances: -1}\n");
  assert.deepEqual(provider(fake.providers[0], "fake")["fake-cloud"], {
    "max-instances": -1,
    "max-cores": 100,
    "max-ram": 1_000_000,
    "boot-delay": 0.1,
    "launch-failure-rate": 0,
  });
});

test("upload meta over the limits is dropped like the reference, with a warning", () => {
  const { config, warnings } = loadValid(`diskimages: [{name: img}]
providers:
  - name: c
    cloud: c
    diskimages:
      - name: img
        meta: {a: '1', b: '2', c: '3', d: '4', e: '5', f: '6'}
`);
  assert.deepEqual(provider(config.providers[0], "openstack").diskimages[0]?.meta, {});
  assert.deepEqual(warnings.map((w) => w.code), ["lint.meta-dropped"]);
});

test("a string rate is a number; booleans in int fields count as 1/0 with a warning", () => {
  const { config, warnings } = loadValid("labels:\n  - name: a\n    min-ready: true\nproviders:\n  - name: c\n    cloud: c\n    rate: '0.5'\n    pools: [{name: p, labels: [{name: a, cloud-image: x, min-ram: 1}]}]\n    cloud-images: [{name: x}]\n");
  assert.equal(provider(config.providers[0], "openstack").rate, 0.5);
  assert.equal(config.labels[0]?.["min-ready"], 1);
  assert.deepEqual(warnings.map((w) => [w.code, w.path, w.line]), [["lint.bool-as-int", "labels[0].min-ready", 3]]);
});
