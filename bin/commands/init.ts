import { Command, Option } from "clipanion";
import { NodepoolCommand } from "./base.ts";

/** `nodepool init [DIR]`: a tsconfig.json for editors and a starter nodepool.config.ts. */
export class InitCommand extends NodepoolCommand {
  static override paths = [["init"]];
  static override usage = Command.Usage({
    description: "Prepare a directory for a typed nodepool.config.ts",
    details:
      "Writes tsconfig.json mapping `nodepool/dsl` to this installation, so editors complete and check the config " +
      "without a package.json, and a starter nodepool.config.ts unless one exists. An existing tsconfig.json is kept unless --force.",
    examples: [["Prepare the current directory", "nodepool init"]],
  });

  dir = Option.String({ required: false, name: "dir" });
  force = Option.Boolean("--force", false, { description: "Overwrite an existing tsconfig.json" });

  async run(): Promise<number> {
    const { initConfigDir } = await import("../../dsl/init.ts"); // on demand: the compiler loads TypeScript and esbuild
    const result = await initConfigDir(this.dir ?? ".", { force: this.force });
    for (const file of result.written) this.context.stdout.write(`wrote ${file}\n`);
    for (const file of result.kept) this.context.stdout.write(`kept ${file} (already there)\n`);
    return 0;
  }
}
