/**
 * The last line of defence for "no secret in plan output": every secret value of the config
 * (schema/secrets.ts decides which) is masked wherever it would appear in what `plan` and
 * `apply` print, error messages included.
 */
import { MASK, maskSecrets, type NodepoolConfig } from "../../schema/index.ts";

/** The strings at the config's secret paths. */
export function secretValues(config: NodepoolConfig, secretPaths: readonly string[]): string[] {
  const values = new Set<string>();
  const walk = (plain: unknown, masked: unknown): void => {
    if (typeof plain === "string") {
      if (masked === MASK && plain !== MASK && plain !== "") values.add(plain);
      return;
    }
    if (Array.isArray(plain) && Array.isArray(masked)) plain.forEach((item, i) => walk(item, masked[i]));
    else if (plain !== null && typeof plain === "object" && masked !== null && typeof masked === "object") {
      for (const [key, value] of Object.entries(plain)) walk(value, (masked as Record<string, unknown>)[key]);
    }
  };
  walk(config, maskSecrets(config, secretPaths));
  // Longest first, so a secret containing another is masked whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASK);
  return out;
}
