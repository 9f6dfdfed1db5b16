/**
 * Type-checking a `nodepool.config.ts` with the TypeScript compiler API, the way an editor with
 * the tsconfig.json of `nodepool init` sees it: strict, `nodepool/dsl` mapped to this package.
 */
import ts from "typescript";
import { join, resolve } from "node:path";
import { dslEntry, packageRoot } from "./package-root.ts";

export interface TypeProblem {
  file: string;
  line?: number;
  column?: number;
  code: number;
  message: string;
}

/** The compiler options `nodepool init` writes to tsconfig.json, with paths made absolute. */
export function configCompilerOptions(): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    lib: ["lib.es2023.d.ts"],
    types: ["node"],
    typeRoots: [join(packageRoot(), "node_modules", "@types")],
    paths: { "nodepool/dsl": [dslEntry()] },
  };
}

export function typecheckConfig(file: string): TypeProblem[] {
  const program = ts.createProgram({ rootNames: [resolve(file)], options: configCompilerOptions() });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (diagnostic.file === undefined || diagnostic.start === undefined) {
      return { file: resolve(file), code: diagnostic.code, message };
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return { file: diagnostic.file.fileName, line: line + 1, column: character + 1, code: diagnostic.code, message };
  });
}
