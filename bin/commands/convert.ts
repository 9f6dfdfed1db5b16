import { Command, Option } from "clipanion";
import { writeFile } from "node:fs/promises";
import { formatDiagnostic } from "../../schema/index.ts";
import { isTypescriptConfig } from "../../engine/config-source.ts";
import { UsageError } from "../../engine/errors.ts";
import { NodepoolCommand } from "./base.ts";

/** `nodepool convert nodepool.yaml > nodepool.config.ts`: migrate a YAML config to the typed DSL. */
export class ConvertCommand extends NodepoolCommand {
  static override paths = [["convert"]];
  static override usage = Command.Usage({
    description: "Convert a nodepool.yaml to an idiomatic nodepool.config.ts",
    details:
      "Labels, diskimages and cloud-images become handles declared once and referred to by name, so the result " +
      "compiles back (nodepool compile) to the same configuration. Run `nodepool init` in the directory so editors find the types.",
    examples: [["Convert", "nodepool convert /etc/nodepool/nodepool.yaml > nodepool.config.ts"]],
  });

  file = Option.String({ required: false, name: "file" });
  output = Option.String("-o,--output", { description: "Write the TypeScript here instead of stdout" });

  async run(): Promise<number> {
    const file = this.file ?? this.config;
    if (isTypescriptConfig(file)) throw new UsageError(`${file} is already a TypeScript config; convert takes a nodepool.yaml`);
    const { convertFileToDsl } = await import("../../dsl/compiler/index.ts"); // on demand: the compiler loads TypeScript and esbuild
    const converted = await convertFileToDsl(file);
    for (const diagnostic of converted.diagnostics) this.context.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
    if (converted.source === undefined) return 1;
    if (this.output === undefined) this.context.stdout.write(converted.source);
    else await writeFile(this.output, converted.source);
    return 0;
  }
}
