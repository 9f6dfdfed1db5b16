/**
 * What the builder's plan sees: the desired images and upload targets from the config, and
 * the observed image tree (builds, uploads, which locks are held, which builds have files on
 * this builder). Plain data, no I/O: tests build them by hand.
 */
import type { BuildId, UploadId } from "../zk/ids.ts";
import type { BuildState, UploadState } from "../zk/records/image.ts";

export interface DesiredImage {
  readonly name: string;
  readonly pause: boolean;
  /** Seconds. */
  readonly rebuildAge: number;
  /** Sorted effective formats (formats.ts). */
  readonly formats: readonly string[];
}

export interface DesiredProviderImage {
  readonly name: string;
  readonly pause: boolean;
}

/** An image-managing provider (OpenStack or fake). */
export interface DesiredProvider {
  readonly name: string;
  /** The format this provider takes (its cloud's image format). */
  readonly format: string;
  /** Its `diskimages`, in config order; empty means "remove my uploads" (the guide's "Removing from the Builder"). */
  readonly diskimages: readonly DesiredProviderImage[];
}

export interface BuilderDesired {
  readonly images: ReadonlyMap<string, DesiredImage>;
  readonly providers: ReadonlyMap<string, DesiredProvider>;
}

export interface ObservedUpload {
  readonly id: UploadId;
  readonly provider: string;
  readonly state: UploadState;
  readonly stateTime: number;
  readonly externalName: string | null;
}

export interface ObservedBuild {
  readonly id: BuildId;
  readonly state: BuildState;
  readonly stateTime: number;
  readonly formats: readonly string[];
  readonly builderId: string | null;
  readonly builder: string | null;
  /** Its files exist in this builder's images-dir. */
  readonly local: boolean;
  readonly uploads: readonly ObservedUpload[];
  /** Providers whose upload lock of this build is held (an upload is in progress). */
  readonly uploadLocked: ReadonlySet<string>;
}

export interface ObservedImage {
  readonly name: string;
  /** In id order. */
  readonly builds: readonly ObservedBuild[];
  /** `nodepool image-build` left its `request-build` marker. */
  readonly buildRequested: boolean;
  /** The image build lock is held: a build is in progress somewhere. */
  readonly buildLocked: boolean;
}

export interface BuilderObserved {
  readonly images: ReadonlyMap<string, ObservedImage>;
  /** This builder's identity (builder_id.txt) and host name: who owns which build's files. */
  readonly builderId: string;
  readonly hostname: string;
  /**
   * Not before these epochs: an image whose last build failed (`<image>`), and an upload that
   * failed (`<image>/<provider>`), are retried after a short delay, not in a hot loop.
   */
  readonly retryAfter: ReadonlyMap<string, number>;
}

export const uploadTarget = (image: string, provider: string): string => `${image}/${provider}`;
