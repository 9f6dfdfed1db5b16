/**
 * The base of every error a person may see. Each carries a stable code (`zk.lock-lost`,
 * `config.invalid`, ...) so the CLI and the web API can map it to an exit status or an
 * HTTP status, and a message that says what to do.
 */
export abstract class NodepoolError extends Error {
  abstract readonly code: string;
  /**
   * Exit status when this error ends a daemon, `config-validate` or `compile`: 1 = invalid
   * input, 2 = could not run. Every other `nodepool` command exits 1 (behaviour.md §5.1).
   */
  readonly exitCode: 1 | 2 = 2;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A CLI argument or option that cannot be acted on. */
export class UsageError extends NodepoolError {
  readonly code = "cli.usage";
  override readonly exitCode = 2;
}
