/**
 * The one door to Pyright's Python parser (@zzzen/pyright-internal, a build of Microsoft's
 * pyright-internal package). Everything else in src/check/python/ sees only the small,
 * loosely typed view defined here, so that a change of parser stays in this file.
 *
 * Why Pyright's parser: it is the parser behind Pyright and Pylance, it follows the newest
 * grammar (PEP 701 f-strings, `match`, `except*`, `type` aliases), it recovers from errors
 * with precise ranges (an unclosed bracket is reported at the bracket, an unindent at its
 * line), and it is synchronous and plain JavaScript: nothing to initialise, so it works in
 * the bundle and in the V8 start-up snapshot. See the commit that added it for the figures.
 */
import { DiagnosticSink } from '@zzzen/pyright-internal/dist/common/diagnosticSink.js';
import * as versions from '@zzzen/pyright-internal/dist/common/pythonVersion.js';
import { setLocaleOverride } from '@zzzen/pyright-internal/dist/localization/localize.js';
import { Parser, ParseOptions } from '@zzzen/pyright-internal/dist/parser/parser.js';
import * as nodes from '@zzzen/pyright-internal/dist/parser/parseNodes.js';
import * as tree from '@zzzen/pyright-internal/dist/parser/parseTreeUtils.js';
import * as tokens from '@zzzen/pyright-internal/dist/parser/tokenizerTypes.js';

/** A node of Pyright's parse tree: its kind, its range in the parsed text and its fields. */
export interface PyNode {
  readonly nodeType: number;
  readonly start: number;
  readonly length: number;
  readonly parent: PyNode | undefined;
  readonly d: Record<string, unknown>;
}

/** A syntax error: a message and a range of offsets into the parsed text. */
export interface PySyntaxError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface PyParse {
  readonly module: PyNode;
  /** Every node of the module, parents first (computed on first use). */
  readonly nodes: readonly PyNode[];
  readonly errors: readonly PySyntaxError[];
  /** Offset of the first token of each logical line (where Python measures indentation). */
  readonly logicalLineStarts: readonly number[];
  /** Offset of the first character of each line of the parsed text. */
  readonly lineStarts: readonly number[];
}

// The .d.ts files declare these enums `const`, which isolated modules cannot read; the
// JavaScript exports them as plain objects, looked up by name so that a renamed member fails loudly.
const nodeTypes = (nodes as unknown as { ParseNodeType: Record<string, number> }).ParseNodeType;
const keywordTypes = (tokens as unknown as { KeywordType: Record<string, number> }).KeywordType;
const tokenTypes = (tokens as unknown as { TokenType: Record<string, number> }).TokenType;
const TOKEN_NEWLINE = member(tokenTypes, 'NewLine');
const TOKEN_INDENT = member(tokenTypes, 'Indent');
const TOKEN_DEDENT = member(tokenTypes, 'Dedent');
const TOKEN_END = member(tokenTypes, 'EndOfStream');
/** Pyright's message for indentation it finds ambiguous; it is stricter than Python (see tabs.ts). */
const INCONSISTENT_TABS = /^Inconsistent use of tabs/;

function member(table: Record<string, number>, name: string): number {
  const v = table[name];
  if (typeof v !== 'number') throw new Error(`internal: the Python parser has no ${name}`);
  return v;
}

const NODE_NAMES = [
  'Error', 'Argument', 'Assert', 'Assignment', 'AssignmentExpression', 'AugmentedAssignment', 'Break', 'Call', 'Case', 'Class',
  'ComprehensionFor', 'Constant', 'Del', 'Except', 'For', 'FormatString', 'Function', 'FunctionAnnotation', 'Global', 'If', 'Import', 'ImportAs', 'ImportFrom',
  'ImportFromAs', 'Lambda', 'List', 'Match', 'MemberAccess', 'ModuleName', 'Name', 'Nonlocal', 'Number', 'Parameter',
  'PatternAs', 'PatternCapture', 'PatternClassArgument', 'PatternMappingExpandEntry', 'Raise', 'Return', 'StatementList',
  'String', 'StringList', 'Suite', 'Try', 'Tuple', 'TypeAlias', 'TypeAnnotation', 'TypeParameter', 'Unpack', 'While', 'With', 'WithItem',
  'Yield', 'YieldFrom',
] as const;

/** Node kinds by name: `N.Name`, `N.Return`, … */
export const N = Object.fromEntries(NODE_NAMES.map((n) => [n, member(nodeTypes, n)])) as Record<(typeof NODE_NAMES)[number], number>;

export const KEYWORD_TRUE = member(keywordTypes, 'True');
export const KEYWORD_FALSE = member(keywordTypes, 'False');

const getChildNodes = (tree as unknown as { getChildNodes(n: unknown, getStringAnnotation: () => undefined): (PyNode | undefined)[] }).getChildNodes;
const noStringAnnotation = (): undefined => undefined;

/** The children of a node, in source order, without the contents of string annotations. */
export function children(node: PyNode): PyNode[] {
  return getChildNodes(node, noStringAnnotation).filter((k): k is PyNode => k !== undefined);
}

/** Every node under `root` (itself included), parents before children: one walk, shared by the checks. */
export function preorder(root: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const stack: PyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    const kids = getChildNodes(node, noStringAnnotation);
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i] !== undefined) stack.push(kids[i]!);
  }
  return out;
}

/** The nearest function, lambda or class around a node: the scope its `return` or `yield` belongs to. */
export function enclosingScope(node: PyNode): PyNode | undefined {
  let p = node.parent;
  while (p && p.nodeType !== N.Function && p.nodeType !== N.Lambda && p.nodeType !== N.Class) p = p.parent;
  return p;
}

let localeSet = false;

/** The newest Python 3 minor version whose grammar the parser knows. */
export const LATEST_MINOR = (versions as unknown as { latestStablePythonVersion: { minor: number } }).latestStablePythonVersion.minor;

/** Parses a whole Python module with the grammar of Python 3.`minor` (newer syntax is an error). */
export function parsePython(text: string, minor: number = LATEST_MINOR): PyParse {
  if (!localeSet) {
    // Messages in English whatever the user's locale (the bundle carries only the English strings).
    setLocaleOverride('en-us');
    localeSet = true;
  }
  const options = new ParseOptions();
  options.pythonVersion = { major: 3, minor };
  const sink = new DiagnosticSink();
  const result = new Parser().parseSourceFile(text, options, sink);
  const lines = result.tokenizerOutput.lines;
  const lineStarts: number[] = [];
  for (let i = 0; i < lines.count; i++) lineStarts.push(lines.getItemAt(i).start);
  const offset = (p: { line: number; character: number }): number => (lineStarts[p.line] ?? text.length) + p.character;
  const logicalLineStarts: number[] = [];
  let atLineStart = true;
  const toks = result.tokenizerOutput.tokens;
  for (let i = 0; i < toks.count; i++) {
    const t = toks.getItemAt(i) as unknown as { type: number; start: number };
    if (t.type === TOKEN_NEWLINE) atLineStart = true;
    else if (t.type !== TOKEN_INDENT && t.type !== TOKEN_DEDENT && t.type !== TOKEN_END && atLineStart) {
      logicalLineStarts.push(t.start);
      atLineStart = false;
    }
  }
  const errors = sink
    .fetchAndClear()
    .filter((d) => d.category === 0 /* DiagnosticCategory.Error */ && !INCONSISTENT_TABS.test(d.message))
    .map((d) => ({ message: d.message, start: offset(d.range.start), end: offset(d.range.end) }));
  const module = result.parserOutput.parseTree as unknown as PyNode;
  let nodes: PyNode[] | undefined;
  return {
    module,
    get nodes() {
      return (nodes ??= preorder(module));
    },
    errors,
    lineStarts,
    logicalLineStarts,
  };
}
