// The smallest useful config: one OpenStack cloud, one image built with diskimage-builder, one label.
// Compile it with `nodepool compile nodepool.config.ts -o nodepool.yaml` (`nodepool init` starts from this file).
import { defineConfig, diskimage, label } from "nodepool/dsl";

const ubuntuJammy = diskimage({
  name: "ubuntu-jammy",
  elements: ["ubuntu-minimal", "vm", "simple-init"],
  release: "jammy",
});

const ubuntuSmall = label({ name: "ubuntu-small", "min-ready": 1 });

export default defineConfig({
  "zookeeper-servers": [{ host: "zk1.example.org", port: 2181, chroot: "/nodepool" }],
  labels: [ubuntuSmall],
  providers: [
    {
      name: "cloud1",
      cloud: "cloud1",
      diskimages: [{ name: ubuntuJammy.name }],
      pools: [
        {
          name: "main",
          "max-servers": 10,
          labels: [{ name: ubuntuSmall.name, diskimage: ubuntuJammy.name, "min-ram": 2048 }],
        },
      ],
    },
  ],
  diskimages: [ubuntuJammy],
});
