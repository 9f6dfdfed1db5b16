/**
 * What a daemon needs beyond a valid file (spec/config.md §4.3): `config-validate` accepts a
 * main file without ZooKeeper servers or images-dir, but the daemons cannot start without them.
 */
import { NodepoolError } from "../engine/errors.ts";
import type { NodepoolConfig } from "./config.ts";

export type ConfigRole = "launcher" | "builder" | "cli";

/** The configuration is valid but lacks what this daemon or command needs to run. */
export class ConfigRuntimeError extends NodepoolError {
  override readonly exitCode = 1;
  constructor(
    readonly code: "runtime.no-zookeeper" | "runtime.no-images-dir",
    message: string,
  ) {
    super(message);
  }
}

/** Throws when the (merged) configuration cannot run in this role. */
export function checkRuntimeRequirements(config: NodepoolConfig, role: ConfigRole): void {
  if (config["zookeeper-servers"].length === 0) {
    throw new ConfigRuntimeError(
      "runtime.no-zookeeper",
      "no ZooKeeper servers configured: add zookeeper-servers to the configuration or the secure file (or pass --zookeeper)",
    );
  }
  if (role === "builder" && config["images-dir"] === undefined) {
    throw new ConfigRuntimeError("runtime.no-images-dir", "no images-dir specified in the configuration: the builder needs somewhere to write images");
  }
}
