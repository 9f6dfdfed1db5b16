/**
 * Secrets in a `nodepool.config.ts`: a diskimage `env-vars` value written as `secret()` is never
 * inlined; the compiler leaves it out of the main YAML and requires it in the secure file (§6),
 * whose diskimage `env-vars` are merged over the main file's.
 */
declare const secretBrand: unique symbol;

/** A value that lives in the secure file. Assignable wherever `env-vars` expects a string. */
export type Secret = string & { readonly [secretBrand]: true };

/** What `secret()` evaluates to; the compiler recognises it and removes it from the main file. */
export const SECRET_MARKER = "\u0000nodepool:secret-from-secure-file";

export function isSecret(value: unknown): boolean {
  return value === SECRET_MARKER;
}
