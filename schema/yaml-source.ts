/**
 * Parsing configuration YAML the way the reference does (YAML 1.1, anchors and `<<` merge keys,
 * duplicate keys allowed with the last one winning) while keeping where every key and value
 * was written, so each diagnostic can point at its line and column (spec/config.md §1.2).
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from "yaml";
import type { Alias, Document, Node, Pair, Tags, YAMLError } from "yaml";
import type { Diagnostic, PathSegment } from "./diagnostics.ts";
import { formatPath } from "./diagnostics.ts";

export interface Position {
  line: number;
  column: number;
  file?: string;
}

/** Where the key and the value at a key path were written. */
export interface SourceMap {
  key(path: readonly PathSegment[]): Position | undefined;
  value(path: readonly PathSegment[]): Position | undefined;
}

export type ParsedYaml =
  | { ok: true; value: unknown; source: SourceMap; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

const FLOAT_TAG = "tag:yaml.org,2002:float";
const BOOL_TAG = "tag:yaml.org,2002:bool";
const INT_TAG = "tag:yaml.org,2002:int";

/**
 * The reference reads YAML with PyYAML, whose YAML 1.1 scalars are narrower than the yaml
 * package's: `y`/`n` are strings, not booleans; a float needs a digit (`elements-dir: .` is a
 * string) and a signed exponent (`1e5` is a string); a decimal int has no leading zero.
 */
const pyyamlTests: Array<{ tag: string; sample: string; not?: string; test: RegExp }> = [
  { tag: BOOL_TAG, sample: "y", test: /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/ },
  { tag: BOOL_TAG, sample: "n", test: /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/ },
  { tag: FLOAT_TAG, sample: ".", test: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)$/ },
  { tag: FLOAT_TAG, sample: "1e5", test: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)[eE][-+][0-9]+$/ },
  { tag: INT_TAG, sample: "19", not: "1:20", test: /^[-+]?(?:0|[1-9][0-9_]*)$/ },
];

function pyyamlScalars(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag === "string" || !("test" in tag) || tag.test === undefined) return tag;
    const current = tag.test;
    const narrower = pyyamlTests.find(
      (t) => t.tag === tag.tag && current.test(t.sample) && (t.not === undefined || !current.test(t.not)),
    );
    return narrower === undefined ? tag : { ...tag, test: narrower.test };
  });
}

const parseOptions = {
  version: "1.1",
  merge: true,
  uniqueKeys: false,
  prettyErrors: false,
  customTags: pyyamlScalars,
} as const;

function isMergeKey(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === "symbol";
}

function keyText(pair: Pair): string | undefined {
  if (!isScalar(pair.key)) return undefined;
  const value = pair.key.value;
  return typeof value === "symbol" ? undefined : String(value);
}

/** The pair a key resolves to in a mapping: the last one written, else one merged in with `<<`. */
function findPair(map: Node, key: string, doc: Document): Pair | undefined {
  if (!isMap(map)) return undefined;
  for (let i = map.items.length - 1; i >= 0; i--) {
    const pair = map.items[i];
    if (pair !== undefined && keyText(pair) === key) return pair;
  }
  for (const pair of map.items) {
    if (!isMergeKey(pair)) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = resolve(source, doc);
      const found = target === undefined ? undefined : findPair(target, key, doc);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function resolve(node: unknown, doc: Document): Node | undefined {
  if (isAlias(node)) return node.resolve(doc) ?? undefined;
  return isMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
}

/** The first character of the offending token, not the blank lines and comments before it. */
function skipTrivia(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
    else if (c === "#") while (i < text.length && text[i] !== "\n") i++;
    else break;
  }
  return i < text.length ? i : offset;
}

/**
 * The key a source line sets, to help find the line. Its value is never quoted: a broken line may
 * hold a password (a secure file, a credential env-var), and this message reaches logs and CI output.
 */
function keyOfLine(source: string): string | undefined {
  return /^\s*(?:-\s+)?([\w.-]+)\s*:(?:\s|$)/.exec(source)?.[1];
}

function syntaxDiagnostic(error: YAMLError, text: string, file: string, lines: LineCounter): Diagnostic {
  const offset = skipTrivia(text, error.pos[0]);
  const { line, col } = lines.linePos(offset);
  const source = text.split("\n")[line - 1] ?? "";
  const reason = error.message.split(" at line ")[0] ?? error.message;
  const key = keyOfLine(source);
  const onKey = key === undefined ? "" : ` (the line of key '${key}')`;
  const message = source.trimStart().startsWith("- ")
    ? `a list item cannot appear here; check its indentation${onKey}`
    : `${reason}${onKey}`;
  return { severity: "error", code: "yaml.syntax", message, file, line, column: col, path: "" };
}

/** Duplicate keys: the reference keeps the last; point at both so the person can choose. */
function duplicateKeys(root: Node | null, file: string, lines: LineCounter): Diagnostic[] {
  const found: Diagnostic[] = [];
  // One path stack for the whole walk: this runs over every node of large files.
  const path: PathSegment[] = [];
  const walk = (node: unknown): void => {
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        path.push(i);
        walk(item);
        path.pop();
      });
    }
    if (!isMap(node)) return;
    const seen = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = keyText(pair);
      if (key === undefined) continue;
      const earlier = seen.get(key);
      if (earlier !== undefined && isScalar(earlier.key) && isScalar(pair.key)) {
        const first = lines.linePos(earlier.key.range?.[0] ?? 0);
        const here = lines.linePos(pair.key.range?.[0] ?? 0);
        found.push({
          severity: "warning",
          code: "lint.duplicate-key",
          message: `key '${key}' is given twice (also at line ${first.line}, column ${first.col}); the last one wins`,
          file,
          line: here.line,
          column: here.col,
          path: formatPath([...path, key]),
        });
      }
      seen.set(key, pair);
      path.push(key);
      walk(pair.value);
      path.pop();
    }
  };
  walk(root);
  return found;
}

export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...parseOptions, lineCounter: lines });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    // The first problem is the cause; what a parser reports after it is mostly its echo.
    const first = problems.reduce((a, b) => (b.pos[0] < a.pos[0] ? b : a));
    return { ok: false, diagnostics: [syntaxDiagnostic(first, text, file, lines)] };
  }
  const at = (node: Node | null | undefined): Position | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col, file };
  };
  const walk = (path: readonly PathSegment[]): { node: Node | undefined; pair?: Pair } => {
    let node = resolve(doc.contents, doc);
    let pair: Pair | undefined;
    for (const segment of path) {
      if (node === undefined) return { node: undefined };
      if (typeof segment === "number") {
        pair = undefined;
        node = isSeq(node) ? resolve(node.items[segment], doc) : undefined;
      } else {
        pair = findPair(node, segment, doc);
        node = pair === undefined ? undefined : resolve(pair.value, doc);
        if (pair === undefined) return { node: undefined };
      }
    }
    return pair === undefined ? { node } : { node, pair };
  };
  const source: SourceMap = {
    key: (path) => {
      const { pair, node } = walk(path);
      return pair !== undefined && isScalar(pair.key) ? at(pair.key) : at(node);
    },
    value: (path) => {
      const { pair, node } = walk(path);
      return at(node) ?? (pair !== undefined && isScalar(pair.key) ? at(pair.key) : undefined);
    },
  };
  const unresolved = unresolvedAlias(doc);
  if (unresolved !== undefined) {
    const { line, col } = lines.linePos(unresolved.range?.[0] ?? 0);
    const key = keyOfLine(text.split("\n")[line - 1] ?? "");
    const message = `an alias names an anchor that is not defined before it; a YAML anchor must come first${key === undefined ? "" : ` (the line of key '${key}')`}`;
    return { ok: false, diagnostics: [{ severity: "error", code: "yaml.syntax", message, file, line, column: col, path: "" }] };
  }
  return { ok: true, value: doc.toJS({ maxAliasCount: -1 }), source, diagnostics: duplicateKeys(doc.contents, file, lines) };
}

/** The first alias without an anchor before it: the parser accepts it, but reading the value would throw. */
function unresolvedAlias(doc: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      found = alias;
      return visit.BREAK;
    },
  });
  return found;
}
