import { NodepoolError } from "../errors.ts";

/**
 * Typed ZooKeeper failures. Each carries the ZooKeeper path it concerns (when there is one)
 * and a stable code; the CLI maps them to exit status 2 ("could not run").
 */
export abstract class ZkError extends NodepoolError {
  readonly path: string | undefined;
  constructor(message: string, path?: string, options?: ErrorOptions) {
    super(message, options);
    this.path = path;
  }
}

export class NoNodeError extends ZkError {
  readonly code = "zk.no-node";
}
export class NodeExistsError extends ZkError {
  readonly code = "zk.node-exists";
}
export class NotEmptyError extends ZkError {
  readonly code = "zk.not-empty";
}
export class BadVersionError extends ZkError {
  readonly code = "zk.bad-version";
}
/** The connection dropped; the session may still be alive. The operation's outcome is unknown. */
export class ConnectionLossError extends ZkError {
  readonly code = "zk.connection-loss";
}
/** The session ended: every ephemeral node and every lock of this client is gone. */
export class SessionExpiredError extends ZkError {
  readonly code = "zk.session-expired";
}
export class NoAuthError extends ZkError {
  readonly code = "zk.no-auth";
}
/** No ZooKeeper server answered in time (the CLI's "is ZooKeeper running?" case). */
export class ZkUnavailableError extends ZkError {
  readonly code = "zk.unavailable";
}
/** The client was closed by its owner; nothing more will be sent. */
export class ClientClosedError extends ZkError {
  readonly code = "zk.closed";
}
/** Any other ZooKeeper return code, kept with its number for the log. */
export class ZkOperationError extends ZkError {
  readonly code = "zk.operation-failed";
  readonly rc: number;
  constructor(message: string, rc: number, path?: string) {
    super(message, path);
    this.rc = rc;
  }
}

/**
 * A multi-op transaction (`ZkClient.multi`) was refused because of one of its ops, and none of
 * them was applied. `index` is that op's place in the list (from 0); `cause` is its own typed
 * error (NoNodeError, NodeExistsError, BadVersionError, NotEmptyError…) for `instanceof`.
 */
export class MultiOpError extends ZkError {
  readonly code = "zk.multi-failed";
  readonly index: number;
  override readonly cause: ZkError;
  constructor(index: number, count: number, cause: ZkError) {
    super(`transaction refused at op ${index + 1} of ${count}, nothing was changed: ${cause.message}`, cause.path, { cause });
    this.index = index;
    this.cause = cause;
  }
}

/** A lock we held is gone (session expired or contender deleted): stop acting on what it protected. */
export class LockLostError extends ZkError {
  readonly code = "zk.lock-lost";
}
/** A blocking lock acquisition ran out of time. */
export class LockTimeoutError extends ZkError {
  readonly code = "zk.lock-timeout";
}
/** A non-blocking lock acquisition found the lock held by someone else. */
export class LockBusyError extends ZkError {
  readonly code = "zk.lock-busy";
}
/** The record a lock protects does not exist (or is an empty leftover znode). */
export class RecordGoneError extends ZkError {
  readonly code = "zk.record-gone";
}
/** A record's bytes are not a valid record of its type. */
export class MalformedRecordError extends ZkError {
  readonly code = "zk.malformed-record";
  override readonly exitCode = 1;
}
/** Connection settings that cannot be used (for example, servers with different chroots). */
export class ZkConfigError extends ZkError {
  readonly code = "zk.config";
  override readonly exitCode = 1;
}

/** The compiled `zookeeper` addon lacks what patches/ add (it was installed without scripts/setup.sh). */
export class ZkAddonError extends ZkError {
  readonly code = "zk.addon-unpatched";
  override readonly exitCode = 1;
}

/** ZooKeeper C client return codes this layer distinguishes. */
export const ZRC = {
  ok: 0,
  /** In a failed transaction: an op after the failing one, never tried. */
  runtimeInconsistency: -2,
  connectionLoss: -4,
  operationTimeout: -7,
  badArguments: -8,
  invalidState: -9,
  noNode: -101,
  noAuth: -102,
  badVersion: -103,
  nodeExists: -110,
  notEmpty: -111,
  sessionExpired: -112,
  authFailed: -115,
  closing: -116,
} as const;

/** Turns a ZooKeeper return code into the typed error for `path`. */
export function errorForCode(rc: number, op: string, path: string): ZkError {
  const where = `${op} ${path}`;
  switch (rc) {
    case ZRC.noNode:
      return new NoNodeError(`${where}: no such znode`, path);
    case ZRC.nodeExists:
      return new NodeExistsError(`${where}: znode already exists`, path);
    case ZRC.notEmpty:
      return new NotEmptyError(`${where}: znode has children`, path);
    case ZRC.badVersion:
      return new BadVersionError(`${where}: version changed since it was read`, path);
    case ZRC.connectionLoss:
    case ZRC.operationTimeout:
      return new ConnectionLossError(`${where}: connection to ZooKeeper lost; the outcome is unknown`, path);
    case ZRC.sessionExpired:
    case ZRC.invalidState:
    case ZRC.closing:
      return new SessionExpiredError(`${where}: ZooKeeper session expired`, path);
    case ZRC.badArguments:
      return new ZkOperationError(`${where}: not a valid znode path (or request)`, rc, path);
    case ZRC.noAuth:
    case ZRC.authFailed:
      return new NoAuthError(`${where}: not authorised; check the ZooKeeper auth settings`, path);
    default:
      return new ZkOperationError(`${where}: ZooKeeper error ${rc}`, rc, path);
  }
}
