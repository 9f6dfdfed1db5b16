/**
 * A large, realistic configuration for benchmarks: 50 providers (OpenStack, static,
 * Kubernetes, AWS) over 500 labels and 20 diskimages, every label offered by some pool.
 * The config benchmarks load its YAML form; the DSL benchmark can compile its .ts form.
 */
import { stringify } from "yaml";
import type { NodepoolConfigInput, ProviderConfigInput } from "../schema/index.ts";

export interface BenchConfigSize {
  providers: number;
  labels: number;
  diskimages: number;
}

export const defaultBenchSize: BenchConfigSize = { providers: 50, labels: 500, diskimages: 20 };

const labelName = (i: number): string => `label-${String(i).padStart(3, "0")}`;
const imageName = (i: number): string => `image-${String(i).padStart(2, "0")}`;

function provider(p: number, size: BenchConfigSize): ProviderConfigInput {
  const name = `provider-${String(p).padStart(2, "0")}`;
  // Each provider offers a window of 50 labels, so together they cover all of them.
  const offered = Array.from({ length: 50 }, (_, k) => labelName((p * 50 + k) % size.labels));
  if (p % 10 === 7) {
    return { name, driver: "static", pools: [{ name: "rack", nodes: offered.slice(0, 20).map((label, n) => ({ name: `${name}-host${n}.example.org`, labels: [label] })) }] };
  }
  if (p % 10 === 8) {
    return { name, driver: "kubernetes", context: `${name}-ctx`, pools: [{ name: "main", labels: offered.map((label) => ({ name: label, type: "pod", image: "docker.io/fedora:40" })) }] };
  }
  if (p % 10 === 9) {
    return {
      name,
      driver: "aws",
      "region-name": "us-east-1",
      "cloud-images": [{ name: "ami", "image-id": "ami-0123456789" }],
      pools: [{ name: "main", "max-servers": 50, labels: offered.map((label) => ({ name: label, "cloud-image": "ami", "instance-type": "t3.large", "key-name": "zuul" })) }],
    };
  }
  const images = [imageName(p % size.diskimages), imageName((p + 1) % size.diskimages)];
  return {
    name,
    driver: "openstack",
    cloud: `cloud-${p}`,
    "region-name": `region-${p % 3}`,
    diskimages: images.map((image) => ({ name: image, meta: { team: "ci" } })),
    "cloud-images": [{ name: "windows", "connection-type": "winrm" }],
    pools: ["az1", "az2"].map((az, q) => ({
      name: `pool-${az}`,
      "max-servers": 100,
      "availability-zones": [az],
      networks: ["private"],
      labels: offered.slice(q * 25, q * 25 + 25).map((label, k) =>
        k % 10 === 9 ? { name: label, "cloud-image": "windows", "flavor-name": "large" } : { name: label, diskimage: images[k % 2], "min-ram": 8192, "flavor-name": "standard" },
      ),
    })),
  };
}

export function generateConfig(size: BenchConfigSize = defaultBenchSize): NodepoolConfigInput {
  return {
    "images-dir": "/opt/nodepool/images",
    "zookeeper-servers": [{ host: "zk1.example.org", port: 2181, chroot: "/nodepool" }],
    labels: Array.from({ length: size.labels }, (_, i) => ({ name: labelName(i), "min-ready": i % 5 === 0 ? 1 : 0 })),
    providers: Array.from({ length: size.providers }, (_, p) => provider(p, size)),
    diskimages: Array.from({ length: size.diskimages }, (_, i) => ({
      name: imageName(i),
      elements: ["ubuntu-minimal", "vm", "simple-init", "nodepool-base"],
      release: "jammy",
      "env-vars": { DIB_CHECKSUM: "1", TMPDIR: "/opt/dib_tmp" },
    })),
  };
}

export function generateConfigYaml(size: BenchConfigSize = defaultBenchSize): string {
  return stringify(generateConfig(size), { lineWidth: 0 });
}
