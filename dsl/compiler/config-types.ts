/**
 * The DSL's config type, generated from the zod schemas: `z.input<typeof nodepoolConfigSchema>`
 * resolved once into a plain object type. Checking a config against zod's generic machinery takes
 * the type-checker seconds; against the resolved type, a fraction of one. The schemas stay the only
 * definition: `dsl/config-types.generated.ts` is rewritten from them by
 * `node --import tsx dsl/compiler/write-config-types.ts`, and a test fails when it is stale.
 */
import { join } from "node:path";
import type * as TS from "typescript";
import type { z } from "zod";
import { nodepoolConfigSchema } from "../../schema/config.ts";
import { type NameKind, type NameRole, nameRoles } from "../../schema/names.ts";
import { packageRoot } from "./package-root.ts";
import { defaultOf, descriptionOf, elementSchema, objectSchemas, outsideIn, shapeOf } from "./zod-shapes.ts";
import { typescript } from "./typescript.ts";

export const GENERATED_TYPES_FILE = join("dsl", "config-types.generated.ts");

const HEADER = `// Generated from schema/config.ts by \`node --import tsx dsl/compiler/write-config-types.ts\`; do not edit.
// It is z.input<typeof nodepoolConfigSchema> resolved, so configs type-check fast; a test fails when it is stale.
// NodepoolConfigOf's parameters are the names a config defines; references must use one of them.
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

function docComment(schema: z.ZodType): string | undefined {
  const description = descriptionOf(schema);
  const fallback = defaultOf(schema);
  const parts = [
    ...(description === undefined ? [] : [description.endsWith(".") ? description : `${description}.`]),
    ...(fallback === undefined || fallback.value === undefined ? [] : [`Default: \`${JSON.stringify(fallback.value)}\`.`]),
  ];
  // A description must not end the comment early.
  return parts.length === 0 ? undefined : `* ${parts.join(" ").replaceAll("*/", "*\\/")} `;
}

/** The object schema a printed type literal came from: the smallest whose keys include all of the literal's. */
function matchingObject(names: string[], candidates: z.ZodObject[]): z.ZodObject | undefined {
  return candidates
    .filter((candidate) => names.every((name) => name in shapeOf(candidate)))
    .sort((a, b) => Object.keys(shapeOf(a)).length - Object.keys(shapeOf(b)).length)[0];
}

/** The config type's parameters: the names a config defines, so that references are checked against them. */
const NAME_PARAMETERS: Record<NameKind, string> = { label: "LabelName", diskimage: "DiskimageName", "cloud-image": "CloudImageName" };

/** The name role marked on a property's schema (schema/names.ts). */
function nameRoleOf(schema: z.ZodType): NameRole | undefined {
  return outsideIn(schema, (current) => nameRoles.get(current));
}

/**
 * A defining property's strings become the name parameter, so `defineConfig` infers the names from
 * them; a referring property's become `NoInfer<parameter>`: checked against those names, never
 * widening them, so a typo in a pool label is a type error at its line.
 */
function named(type: TS.TypeNode, role: NameRole): TS.TypeNode {
  const ts = typescript();
  const parameter = ts.factory.createTypeReferenceNode(NAME_PARAMETERS[role.kind]);
  const replacement = role.role === "defines" ? parameter : ts.factory.createTypeReferenceNode("NoInfer", [parameter]);
  const visit = (node: TS.Node): TS.Node =>
    node.kind === ts.SyntaxKind.StringKeyword ? replacement : ts.visitEachChild(node, visit, undefined);
  return visit(type) as TS.TypeNode;
}

/**
 * Each property gets the schema's description and default as a doc comment, for editors' hovers,
 * and the name parameter where it defines or refers to a name.
 */
function documented(type: TS.TypeNode, schema: z.ZodType | undefined): TS.TypeNode {
  const ts = typescript();
  if (schema === undefined) return type;
  if (ts.isParenthesizedTypeNode(type)) return ts.factory.updateParenthesizedType(type, documented(type.type, schema));
  if (ts.isUnionTypeNode(type)) return ts.factory.updateUnionTypeNode(type, ts.factory.createNodeArray(type.types.map((member) => documented(member, schema))));
  if (ts.isArrayTypeNode(type)) return ts.factory.updateArrayTypeNode(type, documented(type.elementType, elementSchema(schema)));
  if (!ts.isTypeLiteralNode(type)) return type;
  const names = type.members.flatMap((member) => (member.name !== undefined && (ts.isStringLiteral(member.name) || ts.isIdentifier(member.name)) ? [member.name.text] : []));
  const object = matchingObject(names, objectSchemas(schema));
  if (object === undefined) return type;
  const shape = shapeOf(object);
  const members = type.members.map((member) => {
    if (!ts.isPropertySignature(member) || member.type === undefined || member.name === undefined) return member;
    const name = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : undefined;
    const property = name === undefined ? undefined : shape[name];
    if (property === undefined) return member;
    const role = nameRoleOf(property);
    const type = role === undefined ? documented(member.type, property) : named(member.type, role);
    const updated = ts.factory.updatePropertySignature(member, member.modifiers, member.name, member.questionToken, type);
    const comment = docComment(property);
    return comment === undefined ? updated : ts.addSyntheticLeadingComment(updated, ts.SyntaxKind.MultiLineCommentTrivia, comment, true);
  });
  return ts.factory.updateTypeLiteralNode(type, ts.factory.createNodeArray(members));
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
  const node = documented(widenIndexSignatures(withoutUnofferedKeys(printedType)), nodepoolConfigSchema);
  const stringKeyword = ts.factory.createKeywordTypeNode(ts.SyntaxKind.StringKeyword);
  const parameters = Object.values(NAME_PARAMETERS).map((name) =>
    ts.factory.createTypeParameterDeclaration(undefined, name, stringKeyword, stringKeyword),
  );
  const exported = [ts.factory.createModifier(ts.SyntaxKind.ExportKeyword)];
  const generic = ts.factory.createTypeAliasDeclaration(exported, "NodepoolConfigOf", parameters, node);
  const plain = ts.factory.createTypeAliasDeclaration(exported, "NodepoolConfigInput", undefined, ts.factory.createTypeReferenceNode("NodepoolConfigOf"));
  const out = ts.createSourceFile("config-types.generated.ts", "", ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const printed = [generic, plain].map((alias) => printer.printNode(ts.EmitHint.Unspecified, alias, out));
  return `${HEADER}${printed.join("\n")}\n`;
}
