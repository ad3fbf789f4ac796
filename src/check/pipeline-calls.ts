/**
 * Pipelines that call pipelines. A pipeline with a call name (`pipeline train "Train" (…)`)
 * is callable like a component: its signature (parameters as inputs, declared outputs as
 * outputs) is put in scope beside the components, so a call is typed by the same rules as a
 * component call (type-arguments.ts) and becomes an IrCall. Here: the signatures, the
 * outputs' bindings, and the rules that need every pipeline checked (a recursion must pass
 * an `if`; a called pipeline cannot have a `finally` block).
 */
import { LISTED_NAMES, listPath } from '../diagnostics/name-list.js';
import type { IrComponent, IrNode, IrPipeline, IrPipelineOutput, IrPort, IrVolume } from '../ir/ir.js';
import type { SourceFile, Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { checkParams } from './check-component.js';
import { CheckContext } from './context.js';
import type { PipelineState } from './pipeline-state.js';
import { reference } from './resolve-refs.js';
import { stronglyConnected } from './scc.js';
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
  const targets = sites.map((list) => list.map((site) => byName.get(site.callee)));
  reportUnconditionalRecursion(ctx, pipelines, sites, targets);
  reportCallDepth(ctx, pipelines, sites, targets);
}

/**
 * Unconditional recursion: a cycle of the graph whose edges are the calls made outside any
 * `if`. Each strongly connected component of that graph with a cycle in it is reported once,
 * at the first call of a cycle through its first pipeline.
 */
function reportUnconditionalRecursion(ctx: CheckContext, pipelines: readonly IrPipeline[], sites: readonly CallSite[][], targets: readonly (number | undefined)[][]): void {
  const unconditional = (i: number): number[] => {
    const out: number[] = [];
    sites[i]!.forEach((site, k) => {
      const j = targets[i]![k];
      if (!site.conditional && j !== undefined) out.push(j);
    });
    return out;
  };
  const { component, count } = stronglyConnected(pipelines.length, unconditional);
  const size = new Int32Array(count);
  for (const c of component) size[c]!++;
  const done = new Set<number>();
  pipelines.forEach((p, start) => {
    const c = component[start]!;
    if (p.name === undefined || done.has(c)) return;
    const selfCall = sites[start]!.some((site, k) => !site.conditional && targets[start]![k] === start);
    if (size[c]! < 2 && !selfCall) return;
    done.add(c);
    const path = cycleThrough(start, sites, targets, (j) => component[j] === c);
    const names = [...path.map((s) => pipelines[s.at]!.name!), p.name];
    const first = path[0]!.site;
    ctx.report('UnconditionalRecursion', path.length === 1 ? `pipeline \`${p.name}\` calls itself with no condition: it would never end` : `pipelines call each other with no condition: ${listPath(names)}`, first.origin, {
      label: 'called here on every run',
      hint: 'put the call under an `if` that eventually fails, as kfp v1 graph components do (`if score < target { train_until_good(…) }`)',
      related: path.slice(1, LISTED_NAMES).map((s) => ctx.related(s.site.origin, `\`${pipelines[s.at]!.name}\` calls \`${s.site.callee}\` here`)),
    });
  });
}

/** The calls, outside any `if`, of a cycle from `start` back to it, all in `inside` (its component): a depth-first search over an explicit stack. */
function cycleThrough(start: number, sites: readonly CallSite[][], targets: readonly (number | undefined)[][], inside: (j: number) => boolean): { at: number; site: CallSite }[] {
  const path: { at: number; site: CallSite }[] = [];
  const visiting = new Set<number>([start]);
  const frames: [number, number][] = [[start, 0]];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const [i, k] = frame;
    if (k >= sites[i]!.length) {
      frames.pop();
      path.pop();
      continue;
    }
    frame[1]++;
    const site = sites[i]![k]!;
    const j = targets[i]![k];
    if (site.conditional || j === undefined || !inside(j)) continue;
    if (j === start) return [...path, { at: i, site }];
    if (visiting.has(j)) continue;
    visiting.add(j);
    path.push({ at: i, site });
    frames.push([j, 0]);
  }
  return path;
}

/**
 * Argo's controller stops at 100 templates nested in one another ("Maximum recursion depth
 * exceeded"), and each called pipeline is a template inside its caller's: a chain of calls
 * deeper than MAX_CALL_DEPTH (a recursion counts once) is refused, once, at the call that goes
 * one level too deep. It also bounds what is built: each pipeline of a chain is built with
 * every pipeline below it.
 */
export const MAX_CALL_DEPTH = 64;

function reportCallDepth(ctx: CheckContext, pipelines: readonly IrPipeline[], sites: readonly CallSite[][], targets: readonly (number | undefined)[][]): void {
  const next = targets.map((t) => t.filter((j): j is number => j !== undefined));
  const { component, count } = stronglyConnected(pipelines.length, (i) => next[i]!);
  // Components come successors first: one pass gives each the depth of the longest chain from it.
  const members: number[][] = Array.from({ length: count }, () => []);
  component.forEach((c, i) => members[c]!.push(i));
  const depth = new Int32Array(count);
  for (let c = 0; c < count; c++) {
    let below = 0;
    for (const i of members[c]!) for (const j of next[i]!) if (component[j] !== c) below = Math.max(below, depth[component[j]!]!);
    depth[c] = below + 1;
  }
  let top = -1;
  for (let c = 0; c < count; c++) if (depth[c]! > MAX_CALL_DEPTH && (top < 0 || depth[c]! > depth[top]!)) top = c;
  if (top < 0) return;
  // Down the deepest chain to the call into level MAX_CALL_DEPTH + 1.
  const chain: { at: number; site: CallSite }[] = [];
  let c = top;
  while (chain.length < MAX_CALL_DEPTH) {
    let best: { at: number; site: CallSite; to: number } | undefined;
    for (const i of members[c]!) {
      sites[i]!.forEach((site, k) => {
        const j = targets[i]![k];
        if (j === undefined || component[j] === c) return;
        if (!best || depth[component[j]!]! > depth[component[best.to]!]!) best = { at: i, site, to: j };
      });
    }
    chain.push(best!);
    c = component[best!.to]!;
  }
  const last = chain.at(-1)!;
  const names = [...chain.map((s) => pipelines[s.at]!.name ?? pipelines[s.at]!.displayName), last.site.callee];
  ctx.report('TooDeep', `pipelines call each other ${depth[top]} levels deep; at most ${MAX_CALL_DEPTH} are accepted`, last.site.origin, {
    label: `level ${MAX_CALL_DEPTH + 1}`,
    hint: `Argo stops at 100 templates nested in one another, and each called pipeline is one: call the deeper pipelines' tasks from fewer levels (${listPath(names)})`,
    related: [ctx.related(chain[0]!.site.origin, 'the outermost call of the chain')],
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
