/**
 * Checks the Python of a component's ```python fence as the generated program will run it
 * (as the body of the component's function), in process, without a Python installation
 * (problems.ts), and reports what it finds at the `.kfp` line and column:
 * - KFP6001 the code does not parse (the first error, where Python would put it);
 * - KFP6002 the fence is the whole `def name(…):` pasted from a kfp tutorial, not its body;
 * - KFP6003 / KFP6004 value outputs but no value returned (on every path / on some path);
 * - KFP6005 a name read that nothing defines (the `mlpipeline_metrics` mistake).
 */
import type { IrPort } from '../../ir/ir.js';
import { lineIndexAt, type Span } from '../../source.js';
import type * as ast from '../../syntax/ast.js';
import type { CheckContext } from '../context.js';
import { fenceOf, type Fence } from './fence.js';
import { cachedFenceProblems } from './fence-cache.js';
import type { FenceInterface } from './problems.js';
import { LATEST_MINOR } from './pyright.js';

export interface PythonComponentView {
  readonly decl: ast.ComponentDecl;
  readonly code: NonNullable<ast.ComponentDecl['code']>;
  readonly inputs: readonly IrPort[];
  readonly outputs: readonly IrPort[];
  readonly image: string;
}

/** The Python minor version of an official `python:3.N…` image; other images get the newest grammar. */
export function pythonMinorOf(image: string): number {
  const m = /(?:^|\/)python:3\.(\d+)(?:$|[^\d])/.exec(image);
  return m ? Number(m[1]) : LATEST_MINOR;
}

/** What the generated program (src/lower/python-component.ts) gives the function. */
export function fenceInterface(c: PythonComponentView): FenceInterface {
  return {
    componentName: c.decl.name.name,
    params: [...c.inputs.map((i) => i.name), ...c.outputs.filter((o) => o.type === 'file').map((o) => o.name)],
    valueOutputs: c.outputs.filter((o) => o.type !== 'file'),
    // `import argparse` precedes the call; `import json` too when an input is read with json.loads.
    programGlobals: ['argparse', ...(c.inputs.some((i) => i.type === 'list' || i.type === 'dict') ? ['json'] : [])],
    minor: pythonMinorOf(c.image),
  };
}

/** flake8 and ruff's escape, honoured here: `# noqa`, `# noqa: F821` or `# noqa: KFP6005` on the line. */
const NOQA = /#\s*noqa(?!:)|#\s*noqa:[\s\w,]*\b(F821|KFP6005)\b/i;

export function checkPythonFence(ctx: CheckContext, c: PythonComponentView): void {
  const fence = fenceOf(ctx.file, c.code);
  const { lineStarts, problems } = cachedFenceProblems(c.code.text, { ...fenceInterface(c), suggestions: ctx.suggestions });
  for (const p of problems) {
    const span = withinFile(ctx, p.where === 'fence' ? { start: c.code.span.start, end: c.code.span.start + 3 + c.code.language.length } : spanOf(fence, lineStarts, p.start, p.end));
    if (p.code === 'UndefinedPythonName' && NOQA.test(ctx.file.lineText(ctx.file.positionAt(span.start).line))) continue;
    const related = p.related === 'outputs' && c.decl.returns ? [ctx.related(c.decl.returns.span, 'outputs declared here')] : undefined;
    ctx.report(p.code, p.message, span, { label: p.label, hint: p.hint, related });
  }
}

/**
 * A span kept inside the file: a fence left unterminated at the end of the file (kept by the
 * error-tolerant parser) ends at the last character, where a one-character span would pass it.
 */
function withinFile(ctx: CheckContext, span: Span): Span {
  const length = ctx.file.text.length;
  if (span.end <= length) return span;
  return { start: Math.min(span.start, Math.max(length - 1, 0)), end: length };
}

/** A program range as a `.kfp` span: one line at most (a statement's span ends with its first line), one character at least. */
function spanOf(fence: Fence, lineStarts: readonly number[], start: number, end: number): Span {
  // A binary search: a scan from the first line made 100,000 problems in a fence of 100,000 lines quadratic.
  const pos = (offset: number) => {
    const line = lineIndexAt(lineStarts, offset);
    return { line, column: offset - lineStarts[line]! };
  };
  const a = pos(start);
  const b = pos(end);
  const from = fence.offsetOf(a.line, a.column);
  const to = b.line === a.line ? fence.offsetOf(b.line, b.column) : fence.offsetOf(a.line, Number.MAX_SAFE_INTEGER);
  return { start: from, end: Math.max(to, from + 1) };
}
