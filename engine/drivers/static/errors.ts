/** Why a static host was not registered or handed out (behaviour.md §3B.2, §3B.4). */
import { NodepoolError } from "../../errors.ts";

/** The host did not answer on its connection port within its timeout. */
export class HostUnreachableError extends NodepoolError {
  readonly code = "static.unreachable";
}

/** A configured `host-key` is not among the keys the host offered: it is not used. */
export class HostKeyMismatchError extends NodepoolError {
  readonly code = "static.host-key-mismatch";
}
