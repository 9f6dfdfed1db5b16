/**
 * `tenant-resource-limits` (a newer Nodepool top-level key): per-tenant caps on servers,
 * cores and RAM across all providers. Other resource names are passed through as ints.
 */
import { z } from "zod";
import { int, str } from "./primitives.ts";

export const tenantResourceLimitSchema = z
  .object({
    "tenant-name": str().describe("Zuul tenant the limits apply to"),
    "max-servers": int().optional().describe("Most nodes the tenant may hold at once"),
    "max-cores": int().optional().describe("Most vCPUs the tenant may hold at once"),
    "max-ram": int().optional().describe("Most RAM (MiB) the tenant may hold at once"),
  })
  .catchall(int());

export type TenantResourceLimit = z.output<typeof tenantResourceLimitSchema>;
