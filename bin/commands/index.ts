import type { CommandClass } from "clipanion";
import { CompileCommand } from "./compile.ts";
import { ConfigValidateCommand } from "./config-validate.ts";
import { ConvertCommand } from "./convert.ts";
import { InitCommand } from "./init.ts";

/** Every `nodepool` subcommand; each lives in its own file beside this one. */
export const commands: CommandClass[] = [ConfigValidateCommand, CompileCommand, ConvertCommand, InitCommand];
