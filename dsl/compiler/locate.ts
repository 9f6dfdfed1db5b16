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

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) node = typeof node === "object" && node !== null ? (node as Record<string | number, unknown>)[segment] : undefined;
  return node;
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

  /** The item at `index` of a list written as `[a, ...xs.map(f), b]`; `length` is the list's length at run time. */
  private item(list: TS.ArrayLiteralExpression, index: number, length: number | undefined): TS.Node | undefined {
    const ts = typescript();
    const elements = list.elements;
    const firstSpread = elements.findIndex((element) => ts.isSpreadElement(element));
    if (firstSpread === -1 || index < firstSpread) return elements[index];
    if (length === undefined) return undefined;
    // Items after the last spread are counted from the end.
    const lastSpread = elements.length - 1 - [...elements].reverse().findIndex((element) => ts.isSpreadElement(element));
    const fromEnd = length - index;
    if (fromEnd <= elements.length - 1 - lastSpread) return elements[elements.length - fromEnd];
    // Between: only when one spread supplies them all (`[...hosts.map(f)]`).
    const spread = elements[firstSpread];
    if (firstSpread !== lastSpread || spread === undefined || !ts.isSpreadElement(spread)) return undefined;
    return this.step(spread.expression, index - firstSpread, undefined);
  }

  private step(node: TS.Node, segment: PathSegment, length: number | undefined): TS.Node | undefined {
    const ts = typescript();
    const value = this.value(node);
    if (typeof segment === "number") {
      if (ts.isArrayLiteralExpression(value)) return this.item(value, segment, length);
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
        const spread = this.step(property.expression, segment, undefined);
        if (spread !== undefined) return spread;
      }
    }
    return undefined;
  }

  /** `lengthAt(prefix)`: the length of the list at `prefix` in the evaluated value, to place items after a spread. */
  locate(path: readonly PathSegment[], lengthAt: (prefix: readonly PathSegment[]) => number | undefined): Found | undefined {
    const ts = typescript();
    const root = this.defaultExport();
    if (root === undefined) return undefined;
    let found: Found = { node: root, depth: 0 };
    let current: TS.Node = root;
    for (const [index, segment] of path.entries()) {
      const next = this.step(current, segment, typeof segment === "number" ? lengthAt(path.slice(0, index)) : undefined);
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

/** A locator over the entry file of a config (read once); `value` is what the config evaluated to. */
export function createPathLocator(file: string, value: unknown): PathLocator {
  const ts = typescript();
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const locator = new Locator(source);
  return (path) => {
    const found = locator.locate(path, (prefix) => {
      const list = valueAt(value, prefix);
      return Array.isArray(list) ? list.length : undefined;
    });
    return found === undefined ? undefined : { ...position(source, found.node), depth: found.depth };
  };
}
