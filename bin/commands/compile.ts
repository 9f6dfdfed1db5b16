import { Command, Option } from "clipanion";
import { readFile, writeFile } from "node:fs/promises";
import { formatDiagnostic } from "../../schema/index.ts";
import { isTypescriptConfig } from "../../engine/config-source.ts";
import { UsageError } from "../../engine/errors.ts";
import { NodepoolCommand } from "./base.ts";

/** `nodepool compile nodepool.config.ts [-o nodepool.yaml]`: the canonical YAML of a typed config. */
export class CompileCommand extends NodepoolCommand {
  static override paths = [["compile"]];
  static override usage = Command.Usage({
    description: "Compile a nodepool.config.ts to canonical nodepool.yaml",
    details:
      "Type-checks the file (unless --no-typecheck), bundles it and its imports, evaluates its default export, " +
      "validates the result like config-validate and writes canonical YAML: stable key order, byte-identical on every run. " +
      "With -s, every secret() must be supplied by the secure file. Exit 1 for an invalid config, 2 when it could not run.",
    examples: [
      ["Compile to a file", "nodepool compile nodepool.config.ts -o nodepool.yaml"],
      ["Print to stdout, skipping the type-check", "nodepool compile nodepool.config.ts --no-typecheck"],
      ["In CI: fail when the checked-in YAML is stale", "nodepool compile nodepool.config.ts -o nodepool.yaml --check"],
    ],
  });

  protected override readonly keepsErrorExitCodes = true;

  file = Option.String({ required: false, name: "file" });
  output = Option.String("-o,--output", { description: "Write the YAML here instead of stdout" });
  typecheck = Option.Boolean("--typecheck", true, { description: "Type-check with TypeScript first (--no-typecheck skips it)" });
  check = Option.Boolean("--check", false, {
    description: "With -o: write nothing, exit 1 when that file is not what the config compiles to (for CI)",
  });

  async run(): Promise<number> {
    const file = this.file ?? this.config;
    if (this.check && this.output === undefined) throw new UsageError("--check compares with the file given by -o; give -o");
    if (!isTypescriptConfig(file)) {
      throw new UsageError(`${file} is not a TypeScript config; compile takes a .config.ts (validate YAML with config-validate)`);
    }
    const { compileToYaml } = await import("../../dsl/compiler/index.ts"); // on demand: the compiler loads TypeScript and esbuild
    const compiled = await compileToYaml(file, {
      typecheck: this.typecheck,
      ...(this.secure === undefined ? {} : { securePath: this.secure }),
      ...(this.output === undefined ? {} : { outputPath: this.output }),
    });
    for (const diagnostic of compiled.diagnostics) this.context.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (compiled.yaml === undefined) return 1;
    if (this.check && this.output !== undefined) return this.checkOutput(file, this.output, compiled.yaml);
    if (this.output === undefined) this.context.stdout.write(compiled.yaml);
    else {
      await writeFile(this.output, compiled.yaml);
      this.context.stderr.write(`${this.output}: written from ${file}\n`);
    }
    return 0;
  }

  private async checkOutput(file: string, output: string, yaml: string): Promise<number> {
    const current = await readFile(output, "utf8").catch(() => undefined);
    if (current === yaml) {
      this.context.stdout.write(`${output}: up to date with ${file}\n`);
      return 0;
    }
    this.context.stderr.write(`${output}: ${current === undefined ? "missing" : "stale"}; run: nodepool compile ${file} -o ${output}\n`);
    return 1;
  }
}
