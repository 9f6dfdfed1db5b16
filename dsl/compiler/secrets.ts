/**
 * Secrets written as `secret()` (spec/config.md §6, §7): taken out of the main file and listed, so the
 * compiler can name them in the header and check that the secure file supplies each one.
 */
import { isSecret } from "../secret.ts";
import type { PathSegment } from "../../schema/index.ts";

export interface SecretRef {
  diskimage: string;
  /** The diskimage's index in `diskimages`. */
  index: number;
  key: string;
}

export interface SecretExtraction {
  /** The config without its secrets. */
  value: unknown;
  secrets: SecretRef[];
  /** Where `secret()` was used outside a diskimage's `env-vars`. */
  misplaced: PathSegment[][];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function findSecrets(value: unknown, path: PathSegment[], found: PathSegment[][]): void {
  if (isSecret(value)) found.push(path);
  else if (Array.isArray(value)) value.forEach((item, index) => findSecrets(item, [...path, index], found));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) findSecrets(item, [...path, key], found);
}

export function extractSecrets(config: unknown): SecretExtraction {
  const value = structuredClone(config);
  const secrets: SecretRef[] = [];
  if (isRecord(value) && Array.isArray(value.diskimages)) {
    for (const [index, image] of (value.diskimages as unknown[]).entries()) {
      if (!isRecord(image) || typeof image.name !== "string" || !isRecord(image["env-vars"])) continue;
      const env = image["env-vars"];
      for (const [key, item] of Object.entries(env)) {
        if (!isSecret(item)) continue;
        secrets.push({ diskimage: image.name, index, key });
        delete env[key];
      }
    }
  }
  const misplaced: PathSegment[][] = [];
  findSecrets(value, [], misplaced);
  return { value, secrets, misplaced };
}

/** The secrets a parsed secure file does not supply (its `diskimages[].env-vars`). */
export function missingSecrets(secrets: SecretRef[], secure: unknown): SecretRef[] {
  const supplied = new Set<string>();
  if (isRecord(secure) && Array.isArray(secure.diskimages)) {
    for (const image of secure.diskimages) {
      if (!isRecord(image) || typeof image.name !== "string" || !isRecord(image["env-vars"])) continue;
      for (const key of Object.keys(image["env-vars"])) supplied.add(`${image.name}\u0000${key}`);
    }
  }
  return secrets.filter((ref) => !supplied.has(`${ref.diskimage}\u0000${ref.key}`));
}
