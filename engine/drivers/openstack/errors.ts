/**
 * What can go wrong talking to an OpenStack cloud, as typed errors: the provider turns them into
 * launch results (a quota error pauses the pool rather than counting a failure) and log lines
 * that say which cloud, which call and what the cloud answered.
 */
import { NodepoolError } from "../../errors.ts";

/** clouds.yaml is missing, unreadable, or does not describe the cloud the provider names. */
export class CloudConfigError extends NodepoolError {
  readonly code = "openstack.config";
  override readonly exitCode = 1;
}

/** The cloud answered a call with an error status. */
export class OpenStackApiError extends NodepoolError {
  readonly code: string = "openstack.api";

  constructor(
    /** The call, as in `nodepool.task.<provider>.<operation>`. */
    readonly operation: string,
    readonly status: number,
    /** The cloud's own message (Nova's, Neutron's, Glance's or Keystone's error body). */
    readonly cloudMessage: string,
    /** Set when a create call made the resource anyway (Nova answers some errors with the server id). */
    readonly resourceId: string | null = null,
  ) {
    super(`${operation} failed with HTTP ${status}: ${cloudMessage}`);
  }
}

/** The resource does not exist (404): for a delete, the work is already done. */
export class OpenStackNotFoundError extends OpenStackApiError {
  override readonly code = "openstack.not-found";
}

/** A quota or over-limit refusal (Nova 403/413, Neutron OverQuota 409). */
export class OpenStackQuotaError extends OpenStackApiError {
  override readonly code = "openstack.quota";
}

/** Keystone refused the credentials (or the token could not be renewed). */
export class OpenStackAuthError extends NodepoolError {
  readonly code = "openstack.auth";
}

/** The cloud could not be reached at all (connection refused, DNS, TLS, timeout). */
export class OpenStackUnreachableError extends NodepoolError {
  readonly code = "openstack.unreachable";
}

/** The cloud answered with something this client cannot read. */
export class OpenStackResponseError extends NodepoolError {
  readonly code = "openstack.response";
}

/** Whether an error status is a quota refusal; `message` and `type` come from the error body. */
export function isQuotaRefusal(status: number, message: string, type: string | null): boolean {
  if (status === 413) return true;
  if (status === 409 && type === "OverQuota") return true;
  return (status === 403 || status === 409) && /quota|limit exceeded/i.test(message);
}
