/**
 * Names in a component's ```python fence, located in the .kfp file: the generated program
 * makes the component's parameters (and file outputs) the function's parameters, so a name
 * in the fence that is one of them means that parameter. Hover, definition, references and
 * rename use it. The fence is parsed as the checker parses it (the body of a function), and
 * a Name is kept wherever it is a variable: not an attribute (`x.a`) or a keyword argument's
 * name (`f(a=1)`), which only look alike.
 */
import { fenceOf, wrapBody } from '../check/python/fence.js';
import { N, parsePython } from '../check/python/pyright.js';
import { lineIndexAt, type SourceFile, type Span } from '../source.js';
import type * as ast from '../syntax/ast.js';

export interface FenceName {
  readonly name: string;
  /** Where it is in the .kfp file. */
  readonly span: Span;
}

const cache = new WeakMap<object, FenceName[]>();

/** Every variable name of the component's fence, in source order (empty without a Python fence). */
export function fenceNames(file: SourceFile, decl: ast.ComponentDecl): FenceName[] {
  const code = decl.code;
  if (!code || code.language !== 'python') return [];
  const cached = cache.get(code);
  if (cached) return cached;
  const parse = parsePython(wrapBody(code.text));
  const fence = fenceOf(file, code);
  const out: FenceName[] = [];
  for (const n of parse.nodes) {
    if (n.nodeType !== N.Name) continue;
    const p = n.parent;
    if (p?.nodeType === N.MemberAccess && p.d['member'] === n) continue;
    if (p?.nodeType === N.Argument && p.d['name'] === n) continue;
    const value = n.d['value'];
    if (typeof value !== 'string' || value === '') continue;
    const line = lineIndexAt(parse.lineStarts, n.start);
    const start = fence.offsetOf(line, n.start - parse.lineStarts[line]!);
    const span = { start, end: start + n.length };
    // Kept only where the .kfp text is the name itself (a tab-indented fence may not map column for column).
    if (file.text.slice(span.start, span.end) === value) out.push({ name: value, span });
  }
  out.sort((a, b) => a.span.start - b.span.start);
  cache.set(code, out);
  return out;
}

/** The component parameter (or file output) a fence name at `offset` means, with the name's span. */
export function fenceParamAt(file: SourceFile, doc: ast.Document, offset: number): { decl: ast.ComponentDecl; param: ast.ParamDecl; span: Span } | undefined {
  const decl = doc.components.find((c) => c.code && c.code.span.start <= offset && offset <= c.code.span.end);
  if (!decl) return undefined;
  const use = fenceNames(file, decl).find((u) => u.span.start <= offset && offset <= u.span.end);
  const param = use && fenceParam(decl, use.name);
  return param && use ? { decl, param, span: use.span } : undefined;
}

/** The parameter or file output of `decl` (the function's parameters: a value output is returned) that a fence name means. */
export function fenceParam(decl: ast.ComponentDecl, name: string): ast.ParamDecl | undefined {
  const fileOutputs = (decl.returns?.outputs ?? []).filter((o) => o.type.name === 'file');
  return [...decl.params, ...fileOutputs].find((p) => p.name.name === name);
}
