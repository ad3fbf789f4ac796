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
import { Tokenizer, type TokenizerOutput } from '@zzzen/pyright-internal/dist/parser/tokenizer.js';
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
const OPENERS = new Set(['OpenParenthesis', 'OpenBracket', 'OpenCurlyBrace'].map((n) => member(tokenTypes, n)));
const CLOSERS = new Set(['CloseParenthesis', 'CloseBracket', 'CloseCurlyBrace'].map((n) => member(tokenTypes, n)));

/**
 * CPython's tokenizer refuses more than 200 brackets open at once (MAXLEVEL: "too many nested
 * parentheses") and more than 100 levels of indentation (MAXINDENT). Pyright's parser has no
 * such limits and recurses once per level: a few hundred brackets overflow its stack. Code
 * past Python's own limits is therefore refused, with Python's messages, before it is parsed.
 */
export const PYTHON_MAX_BRACKETS = 200;
export const PYTHON_MAX_INDENT = 100;
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
  // Tokenizing is a loop; only code that could be past Python's limits is tokenized before the parse.
  const early = mayBeTooDeep(text) ? new Tokenizer().tokenize(text) : undefined;
  const tooDeep = early && nestingError(early);
  if (tooDeep) return refused(early, tooDeep, minor);
  let result;
  try {
    result = new Parser().parseSourceFile(text, options, sink);
  } catch (e) {
    // Expressions nested without brackets (`not not …`, `lambda: lambda: …`, `- - …`) still
    // recurse once a level; Python itself gives up on them at about 3,000 levels.
    if (!(e instanceof RangeError)) throw e;
    const toks = early ?? new Tokenizer().tokenize(text);
    return refused(toks, { ...busiestLine(toks), message: 'expression nested too deeply to parse' }, minor);
  }
  const { lineStarts, logicalLineStarts } = lineTables(result.tokenizerOutput);
  const offset = (p: { line: number; character: number }): number => (lineStarts[p.line] ?? text.length) + p.character;
  const errors = sink
    .fetchAndClear()
    .filter((d) => d.category === 0 /* DiagnosticCategory.Error */ && !INCONSISTENT_TABS.test(d.message))
    .map((d) => ({ message: d.message, start: offset(d.range.start), end: offset(d.range.end) }));
  return parsed(result.parserOutput.parseTree as unknown as PyNode, errors, lineStarts, logicalLineStarts);
}

/** Could the code hold more than PYTHON_MAX_BRACKETS open brackets or PYTHON_MAX_INDENT indents? A count of characters says no for nearly every fence. */
function mayBeTooDeep(text: string): boolean {
  let brackets = 0;
  let lines = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) brackets++;
    else if (c === 10 || c === 13) lines++;
  }
  return brackets > PYTHON_MAX_BRACKETS || lines > PYTHON_MAX_INDENT;
}

/** The first place the code goes past Python's bracket or indentation limit, with Python's message. */
function nestingError(out: TokenizerOutput): PySyntaxError | undefined {
  let brackets = 0;
  let indent = 0;
  const toks = out.tokens;
  for (let i = 0; i < toks.count; i++) {
    const t = toks.getItemAt(i) as unknown as { type: number; start: number; length: number };
    if (OPENERS.has(t.type)) {
      if (++brackets > PYTHON_MAX_BRACKETS) return { message: 'too many nested parentheses', start: t.start, end: t.start + 1 };
    } else if (CLOSERS.has(t.type)) brackets = Math.max(0, brackets - 1);
    else if (t.type === TOKEN_INDENT) {
      // The token is the indentation; Python points at the code it indents.
      if (++indent >= PYTHON_MAX_INDENT) return { message: 'too many levels of indentation', start: t.start + t.length, end: t.start + t.length + 1 };
    } else if (t.type === TOKEN_DEDENT) indent = Math.max(0, indent - 1);
  }
  return undefined;
}

/** The logical line with the most tokens, where an expression nested too deeply is likeliest. */
function busiestLine(out: TokenizerOutput): { start: number; end: number } {
  const toks = out.tokens;
  let best = { start: 0, count: -1 };
  let start = -1;
  let count = 0;
  for (let i = 0; i < toks.count; i++) {
    const t = toks.getItemAt(i) as unknown as { type: number; start: number };
    if (t.type === TOKEN_NEWLINE || t.type === TOKEN_END) {
      if (start >= 0 && count > best.count) best = { start, count };
      start = -1;
      count = 0;
    } else if (t.type !== TOKEN_INDENT && t.type !== TOKEN_DEDENT) {
      if (start < 0) start = t.start;
      count++;
    }
  }
  return { start: Math.max(0, best.start), end: Math.max(0, best.start) + 1 };
}

/** Code refused before (or instead of) its parse: the one error, and an empty module, so that no check walks it. */
function refused(out: TokenizerOutput, error: PySyntaxError, minor: number): PyParse {
  const { lineStarts, logicalLineStarts } = lineTables(out);
  const options = new ParseOptions();
  options.pythonVersion = { major: 3, minor };
  const empty = new Parser().parseSourceFile('', options, new DiagnosticSink()).parserOutput.parseTree as unknown as PyNode;
  return parsed(empty, [error], lineStarts, logicalLineStarts);
}

function lineTables(out: TokenizerOutput): { lineStarts: number[]; logicalLineStarts: number[] } {
  const lines = out.lines;
  const lineStarts: number[] = [];
  for (let i = 0; i < lines.count; i++) lineStarts.push(lines.getItemAt(i).start);
  const logicalLineStarts: number[] = [];
  let atLineStart = true;
  const toks = out.tokens;
  for (let i = 0; i < toks.count; i++) {
    const t = toks.getItemAt(i) as unknown as { type: number; start: number };
    if (t.type === TOKEN_NEWLINE) atLineStart = true;
    else if (t.type !== TOKEN_INDENT && t.type !== TOKEN_DEDENT && t.type !== TOKEN_END && atLineStart) {
      logicalLineStarts.push(t.start);
      atLineStart = false;
    }
  }
  return { lineStarts, logicalLineStarts };
}

function parsed(module: PyNode, errors: PySyntaxError[], lineStarts: number[], logicalLineStarts: number[]): PyParse {
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
