// The quickstart: a simulated cloud (the `fake` driver), one image the builder makes and uploads
// to it, and two labels the launcher keeps ready. Runs on one machine with a local ZooKeeper.
import { defineConfig, diskimage, label } from "nodepool/dsl";

const fakeImage = diskimage({ name: "fake-image", elements: ["fedora", "vm"], release: 21 });

const small = label({ name: "fake-small", "min-ready": 2 });
const large = label({ name: "fake-large", "min-ready": 1 });

export default defineConfig({
  "images-dir": ".state/images",
  "build-log-dir": ".state/build-logs",
  "zookeeper-servers": [{ host: "127.0.0.1", port: 2181, chroot: "/nodepool-quickstart" }],
  labels: [small, large],
  providers: [
    {
      name: "fake-provider",
      driver: "fake",
      cloud: "fake",
      diskimages: [{ name: fakeImage.name }],
      pools: [
        {
          name: "main",
          "max-servers": 10,
          labels: [
            { name: small.name, diskimage: fakeImage.name, "min-ram": 2048 },
            { name: large.name, diskimage: fakeImage.name, "min-ram": 8192 },
          ],
        },
      ],
    },
  ],
  diskimages: [fakeImage],
});
