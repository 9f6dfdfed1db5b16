import { test } from "node:test";
import assert from "node:assert/strict";
import { loadValid } from "./_load.ts";

test("what the reference runs with is a warning with a position, and the config stays valid", () => {
  const { config, warnings } = loadValid(`zookeeper-servers:
  - host: zk1
    chroot: nodepool
  - host: zk1
webapp:
  port: 0
labels:
  - name: small
  - name: small
  - name: unused
diskimages:
  - name: ubuntu
  - name: lonely
providers:
  - name: cloud1
    cloud: c
    max-concurrency: 0
    launch-retries: 0
    hostname-format: '{label.name}-{region}'
    diskimages: []
    pools:
      - name: main
        labels:
          - name: small
            diskimage: ubuntu
            min-ram: 1
            volume-size: 80
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
          - {name: h1, labels: small other, ssh-port: 2022}
          - {name: h1, labels: [small]}
  - name: k8s
    driver: kubernetes
    context: c
    pools:
      - name: p
        labels:
          - {name: small, type: container}
          - {name: small, type: pod}
  - name: ec2
    driver: aws
    region-name: r
    pools:
      - name: p
        host-key-checking: false
        labels:
          - {name: small, instance-type: t3, key-name: k}
`.replace("small other", "'small unused'"));
  assert.equal(config.providers.length, 4);
  assert.deepEqual(
    warnings.map((w) => [w.code, w.path]),
    [
      ["lint.zookeeper-chroot", "zookeeper-servers[0].chroot"],
      ["lint.duplicate-name", "zookeeper-servers[1]"],
      ["lint.zookeeper-chroot", "zookeeper-servers[1]"],
      ["lint.port-range", "webapp.port"],
      ["lint.duplicate-name", "labels[1].name"],
      ["lint.unused-diskimage", "diskimages[0].name"],
      ["lint.unused-diskimage", "diskimages[1].name"],
      ["lint.max-concurrency-zero", "providers[0].max-concurrency"],
      ["lint.launch-retries", "providers[0].launch-retries"],
      ["lint.format-placeholder", "providers[0].hostname-format"],
      ["lint.diskimage-not-uploaded", "providers[0].pools[0].labels[0].diskimage"],
      ["lint.volume-size-unused", "providers[0].pools[0].labels[0].volume-size"],
      ["lint.static-labels-string", "providers[1].pools[0].nodes[0].labels"],
      ["lint.deprecated", "providers[1].pools[0].nodes[0].ssh-port"],
      ["lint.duplicate-name", "providers[1].pools[0].nodes[1].name"],
      ["lint.label-type", "providers[2].pools[0].labels[0].type"],
      ["lint.pod-without-image", "providers[2].pools[0].labels[1]"],
      ["lint.duplicate-name", "providers[2].pools[0].labels[1].name"],
      ["lint.reference-rejects", "providers[3].pools[0].host-key-checking"],
      ["lint.aws-label-without-cloud-image", "providers[3].pools[0].labels[0]"],
    ],
  );
  assert.ok(warnings.every((w) => w.severity === "warning" && w.line !== undefined && w.column !== undefined));
  assert.match(warnings.find((w) => w.code === "lint.duplicate-name" && w.path === "labels[1].name")!.message, /first defined at labels\[0\]\.name/);
});
