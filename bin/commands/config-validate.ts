import { Option } from "clipanion";
import { homedir } from "node:os";
import { resolve } from "node:path";
import type { ConfigResult } from "../../schema/index.ts";
import { formatDiagnostic } from "../../schema/index.ts";
import { readConfigSource } from "../../engine/config-source.ts";
import { NodepoolCommand } from "./base.ts";

export interface ValidateSourceOptions {
  securePath?: string;
  /** For a `.config.ts`: type-check it with TypeScript first (on unless --no-typecheck). */
  typecheck?: boolean;
}

/** Load and validate a configuration source by its file name: `.yaml`, or a `.config.ts` compiled by the DSL. */
export async function validateConfigSource(path: string, opts: ValidateSourceOptions = {}): Promise<ConfigResult> {
  return readConfigSource(path, {
    typecheck: opts.typecheck ?? true,
    ...(opts.securePath === undefined ? {} : { securePath: opts.securePath }),
  });
}

/** Command-line paths have `~` expanded and are made absolute, as the reference does (spec/config.md §1.1). */
export function commandLinePath(path: string): string {
  return resolve(path.replace(/^~(?=$|\/)/, homedir()));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** One line saying what a valid configuration holds. */
export function summarise(path: string, result: ConfigResult): string {
  const warnings = result.diagnostics.filter((d) => d.severity === "warning").length;
  if (!result.ok) {
    const errors = result.diagnostics.length - warnings;
    return `${path}: invalid: ${plural(errors, "error")}, ${plural(warnings, "warning")}`;
  }
  const { providers, labels, diskimages } = result.config;
  return `${path}: valid: ${plural(providers.length, "provider")}, ${plural(labels.length, "label")}, ${plural(diskimages.length, "diskimage")}, ${plural(warnings, "warning")}`;
}

/** `nodepool config-validate`: exit 0 when valid (warnings allowed), 1 with every problem when not. */
export class ConfigValidateCommand extends NodepoolCommand {
  static override paths = [["config-validate"]];
  static override usage = NodepoolCommand.Usage({
    description: "Validate the configuration file",
    details:
      "Checks the configuration (and the secure file given with -s) without ZooKeeper or any cloud: shape, references and lint. A .config.ts is type-checked (unless --no-typecheck), compiled and validated the same way. Every problem is printed as file:line:column with its key path. Exit status 0: valid (warnings allowed); 1: invalid; 2: the file could not be read.",
    examples: [["Validate a configuration", "$0 config-validate -c /etc/nodepool/nodepool.yaml"]],
  });

  typecheck = Option.Boolean("--typecheck", true, {
    description: "For a .config.ts, type-check it with TypeScript first (--no-typecheck skips it)",
  });

  protected override readonly keepsErrorExitCodes = true;

  async run(): Promise<number> {
    const config = commandLinePath(this.config);
    const result = await validateConfigSource(config, {
      typecheck: this.typecheck,
      ...(this.secure === undefined ? {} : { securePath: commandLinePath(this.secure) }),
    });
    for (const diagnostic of result.diagnostics) this.context.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    const summary = `${summarise(config, result)}\n`;
    if (result.ok) this.context.stdout.write(summary);
    else this.context.stderr.write(summary);
    return result.ok ? 0 : 1;
  }
}
