/**
 * Type-checking a `nodepool.config.ts` with the TypeScript compiler API, the way an editor with
 * the tsconfig.json of `nodepool init` sees it: strict, `nodepool/dsl` mapped to this package.
 */
import type * as TS from "typescript";
import { typescript } from "./typescript.ts";
import { join, resolve, sep } from "node:path";
import { dslEntry, packageRoot } from "./package-root.ts";

export interface TypeProblem {
  file: string;
  line?: number;
  column?: number;
  code: number;
  message: string;
}

/**
 * The compiler options for config files, as tsconfig.json JSON: what `nodepool init` writes for
 * editors and what `typecheckConfig` uses, so both see the same errors.
 */
export function configTsconfig(): { compilerOptions: Record<string, unknown>; include: string[] } {
  return {
    compilerOptions: {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      resolveJsonModule: true,
      lib: ["ES2023"],
      types: ["node"],
      typeRoots: [join(packageRoot(), "node_modules", "@types")],
      paths: { "nodepool/dsl": [dslEntry()] },
    },
    include: ["**/*.ts"],
  };
}

function compilerOptions(): TS.CompilerOptions {
  const ts = typescript();
  const { options, errors } = ts.convertCompilerOptionsFromJson(configTsconfig().compilerOptions, packageRoot());
  if (errors.length > 0) throw new Error(ts.flattenDiagnosticMessageText(errors[0]?.messageText, "\n"));
  return options;
}

/** Type errors in config files (one program for all of them, which is much faster than one each). */
export function typecheckConfig(files: string | string[]): TypeProblem[] {
  const ts = typescript();
  const roots = (Array.isArray(files) ? files : [files]).map((file) => resolve(file));
  const program = ts.createProgram({ rootNames: roots, options: compilerOptions() });
  // Only the operator's files are checked: this package's own sources are checked by its build,
  // and checking them again would take most of the time.
  const own = join(packageRoot(), sep);
  const userFiles = program.getSourceFiles().filter((source) => !source.fileName.startsWith(own) && !source.isDeclarationFile);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...userFiles.flatMap((source) => [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]),
  ];
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    if (diagnostic.file === undefined || diagnostic.start === undefined) {
      return { file: roots[0] ?? "", code: diagnostic.code, message };
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return { file: diagnostic.file.fileName, line: line + 1, column: character + 1, code: diagnostic.code, message };
  });
}
