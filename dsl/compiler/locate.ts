/**
 * Key paths back to `.ts` positions: follows a path such as `providers[0].pools[1].labels[2]` through
 * the object literals of the config's default export, the way a person reads the file — through
 * `defineConfig(...)` and the helpers, local `const`s, `() => ({...})` functions and `.map()` callbacks.
 * Where the trail leaves what the syntax shows (a computed value, an imported module), it stops at
 * the deepest expression found.
 */
import type * as TS from "typescript";
import { typescript } from "./typescript.ts";
import { readFileSync } from "node:fs";
import type { PathSegment } from "../../schema/index.ts";
import type { SourcePosition } from "./stack.ts";

interface Found {
  node: TS.Node;
  depth: number;
}

function position(source: TS.SourceFile, node: TS.Node): SourcePosition {
  const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return { file: source.fileName, line: line + 1, column: character + 1 };
}

function propertyName(name: TS.PropertyName): string | undefined {
  const ts = typescript();
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return undefined;
}

function topLevelConsts(source: TS.SourceFile): Map<string, TS.Expression> {
  const ts = typescript();
  const consts = new Map<string, TS.Expression>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer !== undefined) {
        consts.set(declaration.name.text, declaration.initializer);
      }
    }
  }
  return consts;
}

function returned(fn: TS.ArrowFunction | TS.FunctionExpression | TS.FunctionDeclaration): TS.Expression | undefined {
  const ts = typescript();
  const body = fn.body;
  if (body === undefined) return undefined;
  if (!ts.isBlock(body)) return body;
  for (const statement of body.statements) {
    if (ts.isReturnStatement(statement) && statement.expression !== undefined) return statement.expression;
  }
  return undefined;
}

class Locator {
  private readonly consts: Map<string, TS.Expression>;
  private readonly functions = new Map<string, TS.FunctionDeclaration>();

  constructor(private readonly source: TS.SourceFile) {
    const ts = typescript();
    this.consts = topLevelConsts(source);
    for (const statement of source.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) this.functions.set(statement.name.text, statement);
    }
  }

  defaultExport(): TS.Expression | TS.FunctionDeclaration | undefined {
    const ts = typescript();
    for (const statement of this.source.statements) {
      if (ts.isExportAssignment(statement) && !statement.isExportEquals) return statement.expression;
      if (
        ts.isFunctionDeclaration(statement) &&
        statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
        statement.modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
      ) {
        return statement;
      }
    }
    return undefined;
  }

  /** The expression that holds the value: through parentheses, `as`, `satisfies`, consts, helper calls and functions. */
  private value(node: TS.Node, seen: Set<TS.Node> = new Set()): TS.Node {
    const ts = typescript();
    if (seen.has(node)) return node;
    seen.add(node);
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node)) {
      return this.value(node.expression, seen);
    }
    if (ts.isAwaitExpression(node)) return this.value(node.expression, seen);
    if (ts.isIdentifier(node)) {
      const initializer = this.consts.get(node.text);
      if (initializer !== undefined) return this.value(initializer, seen);
      const declared = this.functions.get(node.text);
      return declared === undefined ? node : this.value(declared, seen);
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node)) {
      const result = returned(node);
      return result === undefined ? node : this.value(result, seen);
    }
    if (ts.isCallExpression(node)) {
      // A helper (`defineConfig`, `label`, ...) called with an object literal: the literal is the value.
      const first = node.arguments[0];
      if (first !== undefined && !ts.isPropertyAccessExpression(node.expression)) {
        const inner = this.value(first, seen);
        if (ts.isObjectLiteralExpression(inner) || ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) return inner;
      }
      // A local function that builds the value (`pool("az1")`): what it returns.
      if (ts.isIdentifier(node.expression)) {
        const result = this.value(node.expression, seen);
        if (result !== node.expression) return result;
      }
    }
    return node;
  }

  private step(node: TS.Node, segment: PathSegment): TS.Node | undefined {
    const ts = typescript();
    const value = this.value(node);
    if (typeof segment === "number") {
      if (ts.isArrayLiteralExpression(value)) {
        const before = value.elements.slice(0, segment + 1);
        if (before.some((element) => ts.isSpreadElement(element))) return undefined;
        return value.elements[segment];
      }
      // `regions.map((region) => ({...}))`: every item comes from the callback's result.
      if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === "map") {
        const callback = value.arguments[0];
        if (callback !== undefined && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return returned(callback);
        // `regions.map(provider)` with a local function: its result.
        if (callback !== undefined && ts.isIdentifier(callback)) {
          const result = this.value(callback);
          return result === callback ? undefined : result;
        }
      }
      return undefined;
    }
    if (!ts.isObjectLiteralExpression(value)) return undefined;
    for (const property of [...value.properties].reverse()) {
      if ((ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) && propertyName(property.name) === segment) {
        return property;
      }
      if (ts.isSpreadAssignment(property)) {
        const spread = this.step(property.expression, segment);
        if (spread !== undefined) return spread;
      }
    }
    return undefined;
  }

  locate(path: readonly PathSegment[]): Found | undefined {
    const ts = typescript();
    const root = this.defaultExport();
    if (root === undefined) return undefined;
    let found: Found = { node: root, depth: 0 };
    let current: TS.Node = root;
    for (const [index, segment] of path.entries()) {
      const next = this.step(current, segment);
      if (next === undefined) break;
      found = { node: next, depth: index + 1 };
      current = ts.isPropertyAssignment(next) ? next.initializer : ts.isShorthandPropertyAssignment(next) ? next.name : next;
    }
    return found;
  }
}

export interface LocatedPath extends SourcePosition {
  /** How many leading path segments the position accounts for. */
  depth: number;
}

export type PathLocator = (path: readonly PathSegment[]) => LocatedPath | undefined;

/** A locator over the entry file of a config (read once). */
export function createPathLocator(file: string): PathLocator {
  const ts = typescript();
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const locator = new Locator(source);
  return (path) => {
    const found = locator.locate(path);
    return found === undefined ? undefined : { ...position(source, found.node), depth: found.depth };
  };
}
