/**
 * Pipelines that call pipelines. A pipeline with a call name (`pipeline train "Train" (…)`)
 * is callable like a component: its signature (parameters as inputs, declared outputs as
 * outputs) is put in scope beside the components, so a call is typed by the same rules as a
 * component call (type-arguments.ts) and becomes an IrCall. Here: the signatures, the
 * outputs' bindings, and the rules that need every pipeline checked (a recursion must pass
 * an `if`; a called pipeline cannot have a `finally` block).
 */
import type { IrComponent, IrNode, IrPipeline, IrPipelineOutput, IrPort, IrVolume } from '../ir/ir.js';
import type { SourceFile, Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { checkParams } from './check-component.js';
import { CheckContext } from './context.js';
import type { PipelineState } from './pipeline-state.js';
import { reference } from './resolve-refs.js';
import { checkAssignable } from './type-arguments.js';
import { INPUT_TYPES, PARAM_TYPES } from './types.js';

/** The signatures that stand for pipelines among the components in scope. */
const signatures = new WeakMap<IrComponent, { decl: ast.PipelineDecl; file: SourceFile }>();

/** The pipeline a component in scope stands for, if it is a pipeline's signature. */
export function calledPipeline(c: IrComponent | undefined): { decl: ast.PipelineDecl; file: SourceFile } | undefined {
  return c ? signatures.get(c) : undefined;
}

/** A callable pipeline's parameters: the types a pipeline parameter takes, and `file` (passed as a file by its callers). */
export function pipelineParamTypes(p: ast.PipelineDecl): readonly string[] {
  return p.callName ? INPUT_TYPES : PARAM_TYPES;
}

/**
 * The signature of a pipeline with a call name: what its callers are checked against. Built
 * from the header alone (before any body is checked, so that a pipeline may call itself);
 * problems in the header are reported once, by checkPipeline, not here.
 */
export function pipelineSignature(file: SourceFile, p: ast.PipelineDecl): IrComponent | undefined {
  if (!p.callName) return undefined;
  const quiet = new CheckContext(file, []);
  const inputs = checkParams(quiet, p.params, pipelineParamTypes(p), 'pipeline parameter');
  const outputs: IrPort[] = (p.returns?.single ? [] : (p.returns?.outputs ?? [])).map((o) => ({
    name: o.name.name,
    type: (INPUT_TYPES.includes(o.type.name) ? o.type.name : 'str') as IrPort['type'],
    optional: false,
  }));
  const sig: IrComponent = {
    name: p.callName.name,
    inputs,
    outputs,
    // Never lowered: a call becomes an IrCall. The container shape keeps the argument rules of components written in .kfp.
    impl: { kind: 'container', image: 'pipeline', command: [], args: [], env: {} },
    origin: { start: p.span.start, end: p.span.end, file: file.path },
  };
  signatures.set(sig, { decl: p, file });
  return sig;
}

/** The components in scope and, beside them, the pipelines that have a call name (callable like components). */
export function withPipelines(ctx: CheckContext, doc: ast.Document, components: ReadonlyMap<string, IrComponent>, imported: ReadonlyMap<string, IrComponent> = new Map()): Map<string, IrComponent> {
  // Copied map to map: spreading both into one array made a pair for each of 100,000 components.
  const out = new Map(components);
  for (const [k, v] of imported) out.set(k, v);
  const declared = new Map<string, ast.Identifier>();
  for (const p of doc.pipelines) {
    if (!p.callName) continue;
    const name = p.callName.name;
    const prev = declared.get(name);
    if (prev || out.has(name)) {
      const comp = out.get(name);
      ctx.report('DuplicateName', prev ? `pipeline \`${name}\` is defined twice` : `pipeline \`${name}\` has the name of a component`, p.callName.span, {
        label: 'calls would not know which one',
        related: prev ? [ctx.related(prev.span, 'first defined here')] : comp ? [ctx.related({ start: comp.origin.start, end: comp.origin.end }, 'the component', ctx.file)] : [],
      });
      continue;
    }
    declared.set(name, p.callName);
    const sig = pipelineSignature(ctx.file, p);
    if (sig) out.set(name, sig);
  }
  return out;
}

/** A module's pipeline signature under the name the importing program gives it (unique there). */
export function renamedSignature(sig: IrComponent, name: string): IrComponent {
  const copy = { ...sig, name };
  signatures.set(copy, signatures.get(sig)!);
  return copy;
}

/**
 * `-> (model: file = fit.model, score: float = evaluate)`: each output is bound to a task
 * output of the body (or the list collected from a loop), of its declared type.
 */
export function checkPipelineOutputs(ps: PipelineState, p: ast.PipelineDecl): IrPipelineOutput[] | undefined {
  const r = p.returns;
  if (!r) return undefined;
  if (r.single) {
    ps.ctx.report('InvalidPipelineOutput', "a pipeline's outputs are named and bound to task outputs", r.span, {
      hint: `e.g. -> (result: ${r.outputs[0]?.type.name ?? 'str'} = task.output)`,
    });
    return undefined;
  }
  const out: IrPipelineOutput[] = [];
  const seen = new Map<string, Span>();
  for (const o of r.outputs) {
    const prev = seen.get(o.name.name);
    if (prev) {
      ps.ctx.report('DuplicateName', `pipeline output \`${o.name.name}\` is declared twice`, o.name.span, { related: [ps.ctx.related(prev, 'first declared here')] });
      continue;
    }
    seen.set(o.name.name, o.name.span);
    if (!INPUT_TYPES.includes(o.type.name)) {
      ps.ctx.report('UnknownType', `unknown type \`${o.type.name}\` for a pipeline output`, o.type.span, { hint: `one of ${INPUT_TYPES.join(', ')}` });
      continue;
    }
    const type = o.type.name as IrPipelineOutput['type'];
    if (!o.default) {
      ps.ctx.report('InvalidPipelineOutput', `pipeline output \`${o.name.name}\` is not bound to a value`, o.name.span, {
        label: 'bind it to a task output',
        hint: `e.g. ${o.name.name}: ${type} = task.output`,
      });
      continue;
    }
    if (o.default.kind !== 'RefExpr') {
      ps.ctx.report('InvalidPipelineOutput', `pipeline output \`${o.name.name}\` must be bound to a task output`, o.default.span, { hint: `e.g. ${o.name.name}: ${type} = task.output` });
      continue;
    }
    const resolved = reference(ps, o.default, [], false);
    if (!resolved) continue;
    if (!('output' in resolved.value) && !('collect' in resolved.value)) {
      ps.ctx.report('InvalidPipelineOutput', `pipeline output \`${o.name.name}\` must be bound to a task output`, o.default.span, {
        label: 'not a task output',
        hint: 'a caller already has the values it passed; pass on the output of a task of this pipeline',
      });
      continue;
    }
    checkAssignable(ps, resolved.type, type, o.default.span, o.name.name);
    out.push({ name: o.name.name, type, value: resolved.value });
  }
  return out;
}

interface CallSite {
  readonly callee: string;
  readonly origin: Span;
  /** Under an `if`, `elif` or `else` of the caller. */
  readonly conditional: boolean;
}

function callSites(nodes: readonly IrNode[], conditional: boolean, out: CallSite[]): CallSite[] {
  for (const n of nodes) {
    if (n.kind === 'call') out.push({ callee: n.pipeline, origin: { start: n.origin.start, end: n.origin.end }, conditional });
    else if (n.kind === 'loop') callSites(n.body, conditional, out);
    else if (n.kind === 'branch') {
      for (const arm of n.arms) callSites(arm.body, true, out);
      if (n.else) callSites(n.else.body, true, out);
    }
  }
  return out;
}

/**
 * A pipeline that reaches itself again through calls none of which is under a condition
 * would call itself forever: reported at the call that closes the cycle. (A loop does not
 * count as a condition: a loop over a literal list always runs.) And a called pipeline
 * cannot bring its `finally` block along: Argo has one exit handler per workflow.
 */
export function checkPipelineCalls(ctx: CheckContext, decls: readonly ast.PipelineDecl[], pipelines: readonly IrPipeline[]): void {
  const byName = new Map<string, number>();
  pipelines.forEach((p, i) => {
    if (p.name !== undefined) byName.set(p.name, i);
  });
  const sites = pipelines.map((p) => callSites([...p.body, ...(p.exit ?? [])], false, []));
  pipelines.forEach((_p, i) => {
    for (const site of sites[i]!) {
      const callee = byName.get(site.callee);
      if (callee === undefined) continue;
      const deleted = pipelines[callee]!.body.find((n): n is IrVolume => n.kind === 'volume' && n.deleteAtExit === true);
      if (deleted) {
        ctx.report('InvalidPipelineCall', `pipeline \`${site.callee}\` creates a volume with \`delete: true\` and cannot be called`, site.origin, {
          hint: "the claim is deleted by the workflow's exit handler, which a called pipeline does not have: create the volume in the calling pipeline and pass on what it needs",
          related: [ctx.related({ start: deleted.origin.start, end: deleted.origin.end }, 'the volume')],
        });
      }
      const finallyStmt = decls[callee]!.body.find((s): s is ast.FinallyStmt => s.kind === 'FinallyStmt');
      if (finallyStmt) {
        ctx.report('InvalidPipelineCall', `pipeline \`${site.callee}\` has a \`finally\` block and cannot be called`, site.origin, {
          hint: 'Argo runs one exit handler per workflow: move the `finally` block to the pipeline that calls it',
          related: [ctx.related(finallyStmt.keywordSpan, 'its `finally` block')],
        });
      }
    }
  });
  // Unconditional recursion: a cycle of the graph whose edges are the calls made outside any `if`.
  const reported = new Set<number>();
  pipelines.forEach((p, start) => {
    if (p.name === undefined || reported.has(start)) return;
    const path: { at: number; site: CallSite }[] = [];
    const visiting = new Set<number>();
    const visit = (i: number): boolean => {
      visiting.add(i);
      for (const site of sites[i]!) {
        if (site.conditional) continue;
        const j = byName.get(site.callee);
        if (j === undefined) continue;
        path.push({ at: i, site });
        if (j === start) return true;
        if (!visiting.has(j) && visit(j)) return true;
        path.pop();
      }
      return false;
    };
    if (!visit(start)) return;
    for (const step of path) reported.add(step.at);
    const names = [...path.map((s) => pipelines[s.at]!.name!), p.name];
    const first = path[0]!.site;
    ctx.report('UnconditionalRecursion', path.length === 1 ? `pipeline \`${p.name}\` calls itself with no condition: it would never end` : `pipelines call each other with no condition: ${names.map((n) => `\`${n}\``).join(' → ')}`, first.origin, {
      label: 'called here on every run',
      hint: 'put the call under an `if` that eventually fails, as kfp v1 graph components do (`if score < target { train_until_good(…) }`)',
      related: path.slice(1).map((s) => ctx.related(s.site.origin, `\`${pipelines[s.at]!.name}\` calls \`${s.site.callee}\` here`)),
    });
  });
}

/**
 * The pipelines no pipeline of the program calls: the one a user means by "the pipeline" of a
 * file that also defines its sub-pipelines (what `graph` and `run` take without --pipeline).
 */
export function entryPipelines<T extends IrPipeline>(pipelines: readonly T[]): T[] {
  const called = new Set<string>();
  for (const p of pipelines) for (const site of callSites([...p.body, ...(p.exit ?? [])], false, [])) called.add(site.callee);
  return pipelines.filter((p) => p.name === undefined || !called.has(p.name));
}
