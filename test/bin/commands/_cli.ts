/** Running the built `nodepool` command as an operator would (scripts/test.sh builds dist/ first). */
import { execa, type Options } from "execa";

const bin = new URL("../../../bin/nodepool", import.meta.url).pathname;

export function nodepool(args: readonly string[], options: Options = {}) {
  return execa(bin, args, { reject: false, ...(options.input === undefined ? { stdin: "ignore" as const } : {}), ...options });
}

/** The same, pointed at a test's ZooKeeper chroot with `--zookeeper` (no config file needed). */
export function nodepoolOn(hosts: string, args: readonly string[], options: Options = {}) {
  return nodepool([...args, "--zookeeper", hosts, "-c", "/nonexistent/nodepool.yaml"], options);
}
