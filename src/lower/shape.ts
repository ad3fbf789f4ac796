/**
 * The first step of the KFP v1 backend: the target-neutral IR shaped the way kfp v1's
 * compiler shapes a pipeline, before anything is written as Argo.
 *
 * - Names: every task, volume, resource, condition arm and loop gets an Argo name, made as
 *   kfp makes them (src/names.ts: sanitised, lower-case, `-2` for repeats) and handed out in
 *   source order, groups numbered `condition-N` / `for-loop-N` by one counter, all in the
 *   namespace of task names (a group is a task in its parent's DAG).
 * - Branches: kfp v1 has no `else`, so an `if`/`elif`/`else` becomes one condition group per
 *   arm, each `when` the arm's condition and the negation of every earlier one.
 * - Values, `after` lists and mounts refer to those names instead of the neutral ids.
 *
 * The rest of the lowering (workflow.ts) and `kfpdsl graph` work on this shape.
 */
import type {
  IrCall, IrCondExpr, IrEnvVar, IrLoop, IrMount, IrNode, IrPipeline, IrResource, IrSettingValue, IrTask, IrTaskSettings, IrValue, IrVolume,
} from '../ir/ir.js';
import { keyedObject } from '../ir/ir.js';
import { NameAllocator, pipelineK8sName, taskName } from '../names.js';

export interface ShapedTask extends Omit<IrTask, 'id' | 'binding'> {
  /** The Argo task name: sanitised, lower-case, unique in the pipeline. */
  name: string;
  /** The .kfp binding (or callee) it was made from, for labels. */
  source: string;
}

export interface ShapedVolume extends Omit<IrVolume, 'id' | 'binding' | 'claimName'> {
  name: string;
  source: string;
  /** The PVC's name; kfp prefixes `{{workflow.name}}-` so that runs do not collide. */
  resourceName: string;
}

export interface ShapedResource extends Omit<IrResource, 'id' | 'binding'> {
  name: string;
  source: string;
}

/** A call of another pipeline: a task whose template is that pipeline's DAG. */
export interface ShapedCall extends Omit<IrCall, 'id' | 'binding'> {
  name: string;
  source: string;
}

export interface ShapedCondition {
  kind: 'condition';
  /** The Argo name of the group's DAG template and task (`condition-3`). */
  name: string;
  when: IrCondExpr;
  body: ShapedNode[];
}

export interface ShapedLoop extends Omit<IrLoop, 'id' | 'variable' | 'body' | 'origin'> {
  /** `for-loop-N`. */
  name: string;
  /** The loop variable as written (`for row in …`), for labels: `kfpdsl graph` shows it. */
  variable: string;
  body: ShapedNode[];
}

export type ShapedNode = ShapedTask | ShapedVolume | ShapedResource | ShapedCall | ShapedCondition | ShapedLoop;

export interface ShapedPipeline extends Omit<IrPipeline, 'name' | 'body' | 'exit' | 'nameOrigin' | 'outputs'> {
  /** Sanitised for Kubernetes: the entrypoint template and generateName. */
  name: string;
  /** The name other pipelines call it by (IrPipeline.name): a called pipeline's DAG template is `graph-<callName>`. */
  callName?: string;
  body: ShapedNode[];
  exit?: ShapedNode[];
  /** A called pipeline's outputs, their values in its own Argo names. */
  outputs?: IrPipeline['outputs'];
}


type Named = IrTask | IrVolume | IrResource | IrCall | IrLoop | IrBranch['arms'][number] | NonNullable<IrBranch['else']>;
type IrBranch = Extract<IrNode, { kind: 'branch' }>;

/** Argo names for one pipeline's nodes, handed out as kfp v1 would, in source order. */
export class KfpNames {
  private readonly names = new Map<Named, string>();
  private readonly byId = new Map<string, string>();
  private readonly byLoop = new Map<string, string>();

  constructor(p: IrPipeline) {
    const entries: { pos: number; node: Named; base?: string; prefix?: string }[] = [];
    const walk = (nodes: readonly IrNode[]): void => {
      for (const n of nodes) {
        if (n.kind === 'branch') {
          for (const arm of n.arms) {
            entries.push({ pos: arm.origin.start, node: arm, prefix: 'condition' });
            walk(arm.body);
          }
          if (n.else) {
            entries.push({ pos: n.else.origin.start, node: n.else, prefix: 'condition' });
            walk(n.else.body);
          }
        } else if (n.kind === 'loop') {
          entries.push({ pos: n.origin.start, node: n, prefix: 'for-loop' });
          walk(n.body);
        } else {
          // `lib.train(...)` names its task `train`, as the same call to an inline component would.
          const callee = n.kind === 'task' ? n.component.slice(n.component.lastIndexOf('.') + 1) : n.kind === 'call' ? n.pipeline : n.kind;
          entries.push({ pos: n.origin.start, node: n, base: taskName(n.binding ?? callee) });
        }
      }
    };
    walk(p.body);
    walk(p.exit ?? []);
    // Source order: a task's inline calls come after it, an `else` after the arms before it,
    // and a `finally` block wherever it was written (the IR keeps those apart).
    entries.sort((a, b) => a.pos - b.pos);
    const allocator = new NameAllocator();
    let groups = 0;
    for (const e of entries) {
      const name = allocator.unique(e.base ?? `${e.prefix}-${++groups}`);
      this.names.set(e.node, name);
      if ('kind' in e.node && e.node.kind === 'loop') this.byLoop.set(e.node.id, name);
      else if ('id' in e.node) this.byId.set(e.node.id, name);
    }
  }

  of(node: Named): string {
    return this.names.get(node)!;
  }

  /** The Argo name of the task, volume or resource whose neutral id is `id`. */
  task(id: string): string {
    return this.byId.get(id) ?? id;
  }

  loop(id: string): string {
    return this.byLoop.get(id) ?? id;
  }
}

const NONE: ReadonlySet<string> = new Set();
const ID_BINDING: ReadonlySet<string> = new Set(['id', 'binding']);

/**
 * `{ ...o }` less the keys in `omit`, keys in the same order. Object rest and spread took ~4 µs
 * a node until V8 optimises them (a build mostly runs before it does), ten times this loop: a
 * tenth of lowering a 5,000-task chain. IR objects are plain (no symbols, nothing inherited).
 */
function copyWithout<T extends object>(o: T, omit: ReadonlySet<string>): T {
  const out: Record<string, unknown> = {};
  for (const k in o) if (!omit.has(k)) out[k] = o[k];
  return out as T;
}

/** Pipelines shaped, counted (test/lower-work.test.ts: each pipeline of a build once). */
export const shapeWork = { pipelines: 0 };

export function shapePipeline(p: IrPipeline): ShapedPipeline {
  shapeWork.pipelines++;
  const names = new KfpNames(p);
  const value = <V extends IrValue | IrSettingValue>(v: V): V => {
    if (typeof v !== 'object') return v;
    if ('output' in v) return { output: { task: names.task(v.output.task), name: v.output.name } } as V;
    if ('collect' in v) return { collect: { task: names.task(v.collect.task), name: v.collect.name } } as V;
    if ('item' in v) return { item: { ...v.item, loop: names.loop(v.item.loop) } } as V;
    return v;
  };
  const cond = (c: IrCondExpr): IrCondExpr => {
    if ('compare' in c) return { ...c, left: value(c.left), right: value(c.right) };
    if ('and' in c) return { and: c.and.map(cond) };
    if ('or' in c) return { or: c.or.map(cond) };
    if ('not' in c) return { not: cond(c.not) };
    return { truthy: value(c.truthy) };
  };
  const quantities = (q: { [r: string]: IrSettingValue } | undefined) => {
    if (!q) return q;
    const out = keyedObject<IrSettingValue>();
    for (const k in q) out[k] = value(q[k]!);
    return out;
  };
  const settings = (s: IrTaskSettings): IrTaskSettings => {
    // Replacing a key keeps its place: the same object, in the same key order, as spreading each replacement over `s`.
    const out: IrTaskSettings = copyWithout(s, NONE);
    if (s.requests) out.requests = quantities(s.requests)!;
    if (s.limits) out.limits = quantities(s.limits)!;
    if (s.env) out.env = s.env.map((e): IrEnvVar => (e.value ? { ...e, value: value(e.value) } : e));
    if (s.mounts) out.mounts = s.mounts.map((m): IrMount => (m.volumeTask !== undefined ? { ...m, volumeTask: names.task(m.volumeTask) } : m));
    return out;
  };
  const after = (a: readonly string[]): string[] => a.map((id) => names.task(id));
  const node = (n: IrNode): ShapedNode[] => {
    switch (n.kind) {
      case 'task': {
        const args = keyedObject<IrValue>();
        for (const k in n.args) args[k] = value(n.args[k]!);
        const task = copyWithout(n, ID_BINDING) as unknown as ShapedTask;
        task.name = names.of(n);
        task.source = n.binding ?? n.component;
        task.args = args;
        task.after = after(n.after);
        task.settings = settings(n.settings);
        return [task];
      }
      case 'call': {
        const { id: _id, binding, ...rest } = n;
        const args = keyedObject<IrValue>();
        for (const [k, v] of Object.entries(n.args)) args[k] = value(v);
        return [{ ...rest, name: names.of(n), source: binding ?? n.pipeline, args, after: after(n.after) }];
      }
      case 'volume': {
        const { id: _id, binding, claimName, ...rest } = n;
        const name = names.of(n);
        return [{ ...rest, name, source: binding ?? 'volume', resourceName: claimName ?? name, size: value(n.size), after: after(n.after) }];
      }
      case 'resource': {
        const { id: _id, binding, ...rest } = n;
        return [{ ...rest, name: names.of(n), source: binding ?? 'resource', refs: n.refs.map(value), after: after(n.after) }];
      }
      case 'loop': {
        const { id: _id, variable, origin: _o, body, ...rest } = n;
        return [{ ...rest, name: names.of(n), variable, items: value(n.items), body: body.flatMap(node) }];
      }
      case 'branch': {
        // `elif` and `else` hold when every earlier condition is false: complementary `when`s, since kfp v1 has no else.
        const out: ShapedNode[] = [];
        const previous: IrCondExpr[] = [];
        for (const arm of n.arms) {
          const c = cond(arm.when);
          const when: IrCondExpr = previous.length === 0 ? c : { and: [...previous.map((x) => ({ not: x })), c] };
          previous.push(c);
          out.push({ kind: 'condition', name: names.of(arm), when, body: arm.body.flatMap(node) });
        }
        if (n.else) {
          const when: IrCondExpr = previous.length === 1 ? { not: previous[0]! } : { and: previous.map((x) => ({ not: x })) };
          out.push({ kind: 'condition', name: names.of(n.else), when, body: n.else.body.flatMap(node) });
        }
        return out;
      }
    }
  };
  const { body, exit, nameOrigin: _n, outputs, name: callName, ...rest } = p;
  return {
    ...rest,
    ...(callName !== undefined ? { callName } : {}),
    ...(outputs ? { outputs: outputs.map((o) => ({ ...o, value: value(o.value) })) } : {}),
    name: pipelineK8sName(p.displayName),
    body: body.flatMap(node),
    ...(exit ? { exit: exit.flatMap(node) } : {}),
  };
}
