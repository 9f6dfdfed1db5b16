/** Helpers for schema tests: load YAML text and pick diagnostics by code. */
import assert from "node:assert/strict";
import type { Diagnostic, NodepoolConfig } from "../../schema/index.ts";
import { formatDiagnostic, loadConfigText } from "../../schema/index.ts";

/** Load text that must be valid; returns the effective config and the warnings. */
export function loadValid(text: string, opts: { secureText?: string } = {}): { config: NodepoolConfig; warnings: Diagnostic[] } {
  const result = loadConfigText(text, "nodepool.yaml", opts.secureText === undefined ? {} : { secureText: opts.secureText });
  assert.ok(result.ok, `expected a valid config:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`);
  assert.ok(result.diagnostics.every((d) => d.severity === "warning"));
  return { config: result.config, warnings: result.diagnostics };
}

/** Load text that must be invalid; returns every diagnostic. */
export function loadInvalid(text: string, opts: { secureText?: string } = {}): Diagnostic[] {
  const result = loadConfigText(text, "nodepool.yaml", opts.secureText === undefined ? {} : { secureText: opts.secureText });
  assert.equal(result.ok, false, "expected an invalid config");
  return result.diagnostics;
}

export function withCode(diagnostics: Diagnostic[], code: string): Diagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

/** `line:col path` of each diagnostic, the way a person reads the report. */
export function where(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.path}`);
}

/** A minimal valid OpenStack setup to extend in tests. */
export const base = `
labels:
  - name: small
diskimages:
  - name: ubuntu
providers:
  - name: cloud1
    cloud: mycloud
    diskimages:
      - name: ubuntu
    pools:
      - name: main
        labels:
          - name: small
            diskimage: ubuntu
            min-ram: 2048
`;
