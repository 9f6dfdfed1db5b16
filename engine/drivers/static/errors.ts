/** Why a static host was not registered (behaviour.md §3B.2): the two kinds of HostCheckError. */
import { HostCheckError } from "../driver.ts";

/** The host did not answer on its connection port within its timeout. */
export class HostUnreachableError extends HostCheckError {}

/** A configured `host-key` is not among the keys the host offered: it is not used. */
export class HostKeyMismatchError extends HostCheckError {}
