// The quickstart on a real OpenStack: the local cloud that scripts/openstack.sh runs (its
// clouds.yaml names it `local`). The builder uploads its image to Glance; the launcher keeps
// nodes ready from that upload and from the cloud's own `tiny-raw` image, each with a floating
// IP. Nothing answers on the cloud's addresses, so host keys are not scanned.
import { cloudImage, defineConfig, diskimage, label } from "nodepool/dsl";

const image = diskimage({ name: "quickstart-image", elements: ["debian-minimal", "vm"], release: "bookworm" });
const tiny = cloudImage({ name: "tiny", "image-name": "tiny-raw", username: "cirros" });

const small = label({ name: "os-small", "min-ready": 2 });
const cirros = label({ name: "os-cirros", "min-ready": 1 });

export default defineConfig({
  "images-dir": ".state/images",
  "build-log-dir": ".state/build-logs",
  "zookeeper-servers": [{ host: "127.0.0.1", port: 2181, chroot: "/nodepool-quickstart-openstack" }],
  labels: [small, cirros],
  providers: [
    {
      name: "local-openstack",
      cloud: "local",
      "region-name": "RegionOne",
      rate: 0.01,
      "clean-floating-ips": true,
      diskimages: [{ name: image.name }],
      "cloud-images": [tiny],
      pools: [
        {
          name: "main",
          "max-servers": 10,
          networks: ["private"],
          "host-key-checking": false,
          labels: [
            { name: small.name, diskimage: image.name, "flavor-name": "m1.tiny" },
            { name: cirros.name, "cloud-image": tiny.name, "min-ram": 2048 },
          ],
        },
      ],
    },
  ],
  diskimages: [image],
});
