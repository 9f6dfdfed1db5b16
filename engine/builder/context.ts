/** What the build, upload and cleanup workers share: the connection, identity and current config. */
import type { ImageStore } from "../drivers/index.ts";
import type { Logger } from "../log.ts";
import type { StatsClient } from "../stats/client.ts";
import type { NodepoolZk } from "../zk/nodepool-zk.ts";
import type { NodepoolConfig } from "../../schema/index.ts";
import type { BuilderEventEmitter } from "./events.ts";

export interface BuilderContext {
  readonly zk: NodepoolZk;
  readonly log: Logger;
  readonly stats: StatsClient;
  /** Told of every build and upload carried out (absent: nobody listens). */
  readonly events?: BuilderEventEmitter;
  readonly builderId: string;
  readonly hostname: string;
  readonly imagesDir: string;
  /** The image command when a diskimage names no `dib-cmd`. */
  readonly dibCommand: string;
  /** The config of the current pass, and the key paths of its secret values. */
  readonly config: NodepoolConfig;
  readonly secretPaths: readonly string[];
  /** The image stores of the providers that take images, started. */
  readonly providers: ReadonlyMap<string, ImageStore>;
  /** Aborts cloud calls when the builder stops. */
  readonly signal: AbortSignal;
}
