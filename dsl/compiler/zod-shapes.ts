/**
 * Reading the config schemas' structure (zod 4 classes): what a value is past defaults, optionals
 * and transforms, and which member of a union describes an object. Used to order canonical YAML
 * keys and to document the generated config type.
 */
import { z } from "zod";

/** The schema that describes the value itself, past defaults, optionals and transforms. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** Every object schema a value at this place may match (the members of a union, or the object itself). */
export function objectSchemas(schema: z.ZodType | undefined): z.ZodObject[] {
  if (schema === undefined) return [];
  const described = unwrap(schema);
  if (described instanceof z.ZodUnion) return (described.options as readonly z.ZodType[]).flatMap((option) => objectSchemas(option));
  return described instanceof z.ZodObject ? [described] : [];
}

/** The schema of list items at this place, if it is a list. */
export function elementSchema(schema: z.ZodType | undefined): z.ZodType | undefined {
  const described = schema === undefined ? undefined : unwrap(schema);
  return described instanceof z.ZodArray ? (described.element as z.ZodType) : undefined;
}

export function shapeOf(schema: z.ZodObject): Record<string, z.ZodType> {
  return schema.shape as Record<string, z.ZodType>;
}

/** The literal values a schema admits (the `driver` of each provider schema). */
export function literalValues(schema: z.ZodType | undefined): unknown[] {
  if (schema === undefined) return [];
  const inner = unwrap(schema);
  return inner instanceof z.ZodLiteral ? [...inner.values] : [];
}

/** The default a schema fills in, if any (looking through optionals and transforms). */
export function defaultOf(schema: z.ZodType): { value: unknown } | undefined {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault) return { value: current.def.defaultValue };
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return undefined;
  }
}

/** The first answer `pick` gives from the outside in, through defaults, optionals and transforms. */
export function outsideIn<T>(schema: z.ZodType, pick: (schema: z.ZodType) => T | undefined): T | undefined {
  let current = schema;
  for (;;) {
    const found = pick(current);
    if (found !== undefined) return found;
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else return undefined;
  }
}

/** The first description found from the outside in. */
export function descriptionOf(schema: z.ZodType): string | undefined {
  return outsideIn(schema, (current) => current.description);
}
