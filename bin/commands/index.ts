import type { CommandClass } from "clipanion";
import { AlienImageListCommand } from "./alien-image-list.ts";
import { ApplyCommand } from "./apply.ts";
import { CompileCommand } from "./compile.ts";
import { ConfigValidateCommand } from "./config-validate.ts";
import { ConvertCommand } from "./convert.ts";
import { DeleteCommand } from "./delete.ts";
import { DibImageDeleteCommand } from "./dib-image-delete.ts";
import { DibImageListCommand } from "./dib-image-list.ts";
import { EraseCommand } from "./erase.ts";
import { HoldCommand } from "./hold.ts";
import { ImageBuildCommand } from "./image-build.ts";
import { ImageDeleteCommand } from "./image-delete.ts";
import { ImageListCommand } from "./image-list.ts";
import { InfoCommand } from "./info.ts";
import { InitCommand } from "./init.ts";
import { LabelListCommand } from "./label-list.ts";
import { ListCommand } from "./list.ts";
import { PlanCommand } from "./plan.ts";
import { RequestListCommand } from "./request-list.ts";

/** Every `nodepool` subcommand; each lives in its own file beside this one. */
export const commands: CommandClass[] = [ConfigValidateCommand, CompileCommand, ConvertCommand, InitCommand,
  ListCommand, RequestListCommand, LabelListCommand, ImageListCommand, DibImageListCommand, InfoCommand, EraseCommand, DeleteCommand, HoldCommand,
  ImageBuildCommand, DibImageDeleteCommand, ImageDeleteCommand, AlienImageListCommand,
  PlanCommand, ApplyCommand,
];
