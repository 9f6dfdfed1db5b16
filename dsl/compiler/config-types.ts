/**
 * The DSL's config type, generated from the zod schemas: `z.input<typeof nodepoolConfigSchema>`
 * resolved once into a plain object type. Checking a config against zod's generic machinery takes
 * the type-checker seconds; against the resolved type, a fraction of one. The schemas stay the only
 * definition: `dsl/config-types.generated.ts` is rewritten from them by
 * `node --import tsx dsl/compiler/write-config-types.ts`, and a test fails when it is stale.
 */
import { join } from "node:path";
import type * as TS from "typescript";
import { packageRoot } from "./package-root.ts";
import { typescript } from "./typescript.ts";

export const GENERATED_TYPES_FILE = join("dsl", "config-types.generated.ts");

const HEADER = `// Generated from schema/config.ts by \`node --import tsx dsl/compiler/write-config-types.ts\`; do not edit.
// It is z.input<typeof nodepoolConfigSchema> resolved, so configs type-check fast; a test fails when it is stale.
`;

/**
 * A zod object with a catchall (`tenant-resource-limits`: named keys plus any int) prints as one type
 * literal whose index signature must also admit the named keys' types; TypeScript requires it.
 */
function widenIndexSignatures(type: TS.TypeNode): TS.TypeNode {
  const ts = typescript();
  const visit = (node: TS.Node): TS.Node => {
    const visited = ts.visitEachChild(node, visit, undefined);
    if (!ts.isTypeLiteralNode(visited)) return visited;
    const named = visited.members.filter(ts.isPropertySignature).flatMap((member) => (member.type === undefined ? [] : [member.type]));
    if (named.length === 0) return visited;
    const members = visited.members.map((member) => {
      if (!ts.isIndexSignatureDeclaration(member)) return member;
      const alternatives = [member.type, ...named].flatMap((t) => (ts.isUnionTypeNode(t) ? [...t.types] : [t]));
      // Keyword types (string, number, undefined) once each; anything else as printed.
      const unique = alternatives.filter((t, i) => t.kind === ts.SyntaxKind.TypeReference || alternatives.findIndex((u) => u.kind === t.kind) === i);
      return ts.factory.updateIndexSignature(member, member.modifiers, member.parameters, ts.factory.createUnionTypeNode(unique));
    });
    return ts.factory.updateTypeLiteralNode(visited, ts.factory.createNodeArray(members));
  };
  return visit(type) as TS.TypeNode;
}

/**
 * Keys the schema accepts for old files but the DSL must never emit (spec/config.md §7): the static
 * driver's deprecated `ssh-port`, and AWS pools' `host-key-checking`, which the reference validator
 * rejects. An AWS pool is the pool type with `subnet-id`.
 */
export const NOT_OFFERED: ReadonlyArray<{ key: string; besides?: string }> = [
  { key: "ssh-port" },
  { key: "host-key-checking", besides: "subnet-id" },
];

function withoutUnofferedKeys(type: TS.TypeNode): TS.TypeNode {
  const ts = typescript();
  const nameOf = (member: TS.TypeElement): string | undefined =>
    member.name !== undefined && (ts.isStringLiteral(member.name) || ts.isIdentifier(member.name)) ? member.name.text : undefined;
  const visit = (node: TS.Node): TS.Node => {
    const visited = ts.visitEachChild(node, visit, undefined);
    if (!ts.isTypeLiteralNode(visited)) return visited;
    const names = new Set(visited.members.map(nameOf));
    const dropped = (member: TS.TypeElement): boolean =>
      NOT_OFFERED.some((rule) => rule.key === nameOf(member) && (rule.besides === undefined || names.has(rule.besides)));
    return ts.factory.updateTypeLiteralNode(visited, ts.factory.createNodeArray(visited.members.filter((member) => !dropped(member))));
  };
  return visit(type) as TS.TypeNode;
}

export function generateConfigTypes(): string {
  const ts = typescript();
  const schemaFile = join(packageRoot(), "schema", "config.ts");
  const program = ts.createProgram({
    rootNames: [schemaFile],
    options: {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    },
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(schemaFile);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  const symbol = module === undefined ? undefined : checker.getExportsOfModule(module).find((s) => s.name === "NodepoolConfigInput");
  if (symbol === undefined) throw new Error(`${schemaFile} does not export NodepoolConfigInput`);
  const flags = ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.InTypeAlias | ts.NodeBuilderFlags.MultilineObjectLiterals;
  const printedType = checker.typeToTypeNode(checker.getDeclaredTypeOfSymbol(symbol), undefined, flags);
  if (printedType === undefined) throw new Error("TypeScript could not print the config type");
  const node = widenIndexSignatures(withoutUnofferedKeys(printedType));
  const alias = ts.factory.createTypeAliasDeclaration(
    [ts.factory.createModifier(ts.SyntaxKind.ExportKeyword)],
    "NodepoolConfigInput",
    undefined,
    node,
  );
  const out = ts.createSourceFile("config-types.generated.ts", "", ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const printed = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed }).printNode(ts.EmitHint.Unspecified, alias, out);
  return `${HEADER}${printed}\n`;
}
