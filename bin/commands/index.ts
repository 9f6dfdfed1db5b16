import type { CommandClass } from "clipanion";

/** Every `nodepool` subcommand; each lives in its own file beside this one. */
export const commands: CommandClass[] = [];
