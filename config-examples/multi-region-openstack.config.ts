// One OpenStack cloud in three regions: the labels and images are defined once and shared by
// every region's provider, which a loop generates. The registry password for the image build is
// a secret(): it lives in the secure file (multi-region-openstack.secure.conf), never in this one.
import { defineConfig, diskimage, label, secret } from "nodepool/dsl";

const regions = [
  { name: "ca-ymq-1", maxServers: 40 },
  { name: "sjc1", maxServers: 60 },
  { name: "gra1", maxServers: 20 },
];

const ubuntuJammy = diskimage({
  name: "ubuntu-jammy",
  elements: ["ubuntu-minimal", "vm", "simple-init", "growroot"],
  release: "jammy",
  "env-vars": {
    DIB_CHECKSUM: "1",
    REGISTRY_PASSWORD: secret(),
  },
});

const centos9 = diskimage({
  name: "centos-9-stream",
  elements: ["centos-minimal", "vm", "simple-init"],
  release: 9,
  "rebuild-age": 43200,
});

const ubuntuSmall = label({ name: "ubuntu-jammy-small", "min-ready": 2 });
const ubuntuLarge = label({ name: "ubuntu-jammy-large", "max-ready-age": 3600 });
const centosSmall = label({ name: "centos-9-stream-small", "min-ready": 1 });

export default defineConfig({
  "elements-dir": "/etc/nodepool/elements",
  "images-dir": "/opt/nodepool/images",
  "zookeeper-servers": [
    { host: "zk1.example.org", chroot: "/nodepool" },
    { host: "zk2.example.org", chroot: "/nodepool" },
    { host: "zk3.example.org", chroot: "/nodepool" },
  ],
  labels: [ubuntuSmall, ubuntuLarge, centosSmall],
  providers: regions.map((region) => ({
    name: `vexxhost-${region.name}`,
    cloud: "vexxhost",
    "region-name": region.name,
    "boot-timeout": 120,
    diskimages: [{ name: ubuntuJammy.name }, { name: centos9.name, "config-drive": true }],
    pools: [
      {
        name: "main",
        "max-servers": region.maxServers,
        networks: ["public"],
        labels: [
          { name: ubuntuSmall.name, diskimage: ubuntuJammy.name, "min-ram": 4096 },
          { name: ubuntuLarge.name, diskimage: ubuntuJammy.name, "min-ram": 16384, "flavor-name": "v3-standard" },
          { name: centosSmall.name, diskimage: centos9.name, "min-ram": 4096 },
        ],
      },
    ],
  })),
  diskimages: [ubuntuJammy, centos9],
});
