import type { CommandClass } from "clipanion";
import { ConfigValidateCommand } from "./config-validate.ts";

/** Every `nodepool` subcommand; each lives in its own file beside this one. */
export const commands: CommandClass[] = [ConfigValidateCommand];
