/**
 * Positions in the operator's files, read from stack traces that Node has already mapped back
 * through the bundle's source map: the first frame outside the DSL's own code.
 */
import { fileURLToPath } from "node:url";
import { join, sep } from "node:path";
import { EVALUATION_DIR_PREFIX } from "./evaluate.ts";
import { packageRoot } from "./package-root.ts";

export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

const FRAME = /\(?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/;

export function userFrame(stack: string): SourcePosition | undefined {
  const dslDir = join(packageRoot(), "dsl") + sep;
  for (const line of stack.split("\n")) {
    if (!line.trimStart().startsWith("at ")) continue;
    const match = FRAME.exec(line.trim());
    if (match === null) continue;
    const [, location = "", lineText = "", columnText = ""] = match;
    const file = location.startsWith("file://") ? fileURLToPath(location) : location;
    if (file.startsWith(dslDir) || file.startsWith(EVALUATION_DIR_PREFIX)) continue;
    return { file, line: Number(lineText), column: Number(columnText) };
  }
  return undefined;
}
