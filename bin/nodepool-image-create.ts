import { Builtins, Cli, Command, Option } from "clipanion";
import { NodepoolError } from "../engine/errors.ts";
import { createImage, parseFormats } from "../engine/builder/image-create.ts";

/** The subset of diskimage-builder's disk-image-create command line that the builder gives it. */
class ImageCreateCommand extends Command {
  static override usage = Command.Usage({
    description: "Write a small real disk image (ext4 on a raw disk, converted with qemu-img) from DIB elements",
    examples: [["Build a qcow2 image", "nodepool-image-create -t qcow2 --checksum -o /tmp/images/demo-0000000001 base"]],
  });

  trace = Option.Boolean("-x", false, { description: "Accepted for compatibility; every step is logged anyway" });
  types = Option.String("-t", "qcow2", { description: "Comma-separated output formats: raw, qcow2, vhd, tar" });
  checksum = Option.Boolean("--checksum", false, { description: "Write <image>.<format>.md5 and .sha256" });
  tmpfs = Option.Boolean("--tmpfs", true, { description: "Accepted for compatibility; no tmpfs is used" });
  qemuImgOptions = Option.String("--qemu-img-options", { description: "qemu-img -o options for qcow2" });
  output = Option.String("-o", { required: true, description: "Output path without extension" });
  elements = Option.Rest({ name: "elements" });

  async execute(): Promise<number> {
    try {
      return await createImage({
        output: this.output,
        formats: parseFormats(this.types),
        elements: this.elements,
        checksum: this.checksum,
        ...(this.qemuImgOptions === undefined ? {} : { qemuImgOptions: this.qemuImgOptions }),
        env: process.env,
        log: (line) => this.context.stdout.write(`${line}\n`),
      });
    } catch (error) {
      if (error instanceof NodepoolError) {
        this.context.stderr.write(`nodepool-image-create: ${error.message}\n`);
        return error.exitCode;
      }
      throw error;
    }
  }
}

const cli = new Cli({ binaryLabel: "nodepool-image-create", binaryName: "nodepool-image-create", binaryVersion: "0.1.0" });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
cli.register(ImageCreateCommand);
await cli.runExit(process.argv.slice(2));
