/** The `static` driver: fixed machines registered as nodes, checked over SSH (behaviour.md §3B). */
export { StaticProvider, type StaticProviderOptions } from "./provider.ts";
export { StaticHostMonitor, sshScanner, type HostScanner } from "./monitor.ts";
export { staticHosts, type StaticHost } from "./hosts.ts";
export { HostKeyMismatchError, HostUnreachableError } from "./errors.ts";
export { DEFAULT_CHECK_POLICY, type CheckPolicy } from "./host-status.ts";
