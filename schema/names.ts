/**
 * Where the config defines a name (a top-level label, a diskimage, a provider's cloud-image) and
 * where it refers to one. The reference checks (references.ts) read the config; the DSL's generated
 * type reads these marks so that a reference to an undefined name is a type error in
 * `nodepool.config.ts` (dsl/compiler/config-types.ts).
 */
import { z } from "zod";

export type NameKind = "label" | "diskimage" | "cloud-image";
export interface NameRole {
  kind: NameKind;
  role: "defines" | "refers";
}

export const nameRoles = z.registry<NameRole>();

/** Marks the schema of a string (or of strings) that defines a name of this kind. */
export function definesName<T extends z.ZodType>(schema: T, kind: NameKind): T {
  nameRoles.add(schema, { kind, role: "defines" });
  return schema;
}

/** Marks the schema of a string (or of strings) that must name something defined elsewhere. */
export function refersToName<T extends z.ZodType>(schema: T, kind: NameKind): T {
  nameRoles.add(schema, { kind, role: "refers" });
  return schema;
}
