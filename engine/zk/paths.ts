import type { BuildId, NodeId, RequestId, UploadId } from "./ids.ts";

/** Every znode path of the Nodepool tree (spec/zookeeper.md §1), relative to the chroot. */
export const ROOT = "/nodepool";
export const REQUEST_ROOT = `${ROOT}/requests`;
export const REQUEST_LOCK_ROOT = `${ROOT}/requests-lock`;
export const NODE_ROOT = `${ROOT}/nodes`;
export const LAUNCHER_ROOT = `${ROOT}/launchers`;
export const ELECTION_ROOT = `${ROOT}/elections`;
export const STATS_ELECTION_PATH = `${ELECTION_ROOT}/stats`;
export const IMAGE_ROOT = `${ROOT}/images`;
/** The reserved child name of lock directories among builds and uploads. */
export const LOCK_NAME = "lock";

export const requestPath = (id: RequestId): string => `${REQUEST_ROOT}/${id}`;
/** Sequential create path: ZooKeeper appends the 10-digit sequence. */
export const requestCreatePath = (priority: string): string => `${REQUEST_ROOT}/${priority}-`;
export const requestLockPath = (id: RequestId): string => `${REQUEST_LOCK_ROOT}/${id}`;

export const nodePath = (id: NodeId): string => `${NODE_ROOT}/${id}`;
/** Sequential create path with an empty name prefix (trailing slash). */
export const NODE_CREATE_PATH = `${NODE_ROOT}/`;
export const nodeLockPath = (id: NodeId): string => `${NODE_ROOT}/${id}/${LOCK_NAME}`;

export const launcherPath = (id: string): string => `${LAUNCHER_ROOT}/${id}`;

export const imagePath = (image: string): string => `${IMAGE_ROOT}/${image}`;
export const imageBuildRequestPath = (image: string): string => `${imagePath(image)}/request-build`;
/**
 * Runtime pause marker (not in Nodepool 3.x, whose readers only look at `builds` and
 * `request-build` under the image znode; spec §1.4 allows this sibling).
 */
export const imagePausePath = (image: string): string => `${imagePath(image)}/pause`;
export const buildsPath = (image: string): string => `${imagePath(image)}/builds`;
export const imageBuildLockPath = (image: string): string => `${buildsPath(image)}/${LOCK_NAME}`;
export const buildPath = (image: string, build: BuildId): string => `${buildsPath(image)}/${build}`;
export const buildLockPath = (image: string, build: BuildId): string => `${buildPath(image, build)}/${LOCK_NAME}`;
export const providersPath = (image: string, build: BuildId): string => `${buildPath(image, build)}/providers`;
export const providerPath = (image: string, build: BuildId, provider: string): string =>
  `${providersPath(image, build)}/${provider}`;
export const uploadsPath = (image: string, build: BuildId, provider: string): string =>
  `${providerPath(image, build, provider)}/images`;
export const uploadLockPath = (image: string, build: BuildId, provider: string): string =>
  `${uploadsPath(image, build, provider)}/${LOCK_NAME}`;
export const uploadPath = (image: string, build: BuildId, provider: string, upload: UploadId): string =>
  `${uploadsPath(image, build, provider)}/${upload}`;
