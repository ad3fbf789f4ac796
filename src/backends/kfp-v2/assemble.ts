/**
 * A pipeline's components and executors, named as KFP v2's compiler names them. It walks the
 * DAGs in its order (each DAG adds a component for every sub-DAG of it first, then one for
 * every task, then it walks the sub-DAGs; exit tasks come last) and makes each name unique
 * as it goes: a task's component and executor are named after the task (`comp-train-2`,
 * `exec-train-2`), a sub-DAG's after its task (`comp-for-loop-2`).
 *
 * A call of a pipeline merges a copy of that pipeline's own spec (lowered alone, with its own
 * names) into this one, as KFP's `merge_deployment_spec_and_component_spec` does: each of its
 * executors and components is renamed if this spec already has the name (`comp-for-loop-2-2`,
 * `exec-double-2`), and its root DAG becomes the component of the call's task
 * (`comp-inner-pipeline`, `comp-inner-pipeline-2` for a second call). KFP renames in place,
 * one name at a time, so a called pipeline holding both `comp-a` and `comp-a-2` where the caller
 * has `comp-a` ends up with two components of one name; here every name is made unique against
 * all names given so far, which agrees with KFP wherever KFP's result is well-formed.
 */
import type { IrComponent } from '../../ir/ir.js';
import { NameAllocator } from '../../names.js';
import type { Entry, Scope } from './dag.js';
import type { JsonObject, LoweredComponent } from './executors.js';
import { CREATE_PVC, DELETE_PVC } from './volumes.js';

/**
 * Each call copies the whole called pipeline into the caller's spec, so that pipelines calling
 * the next one twice, 16 deep, make 65,536 copies (a file of a kilobyte hung the build). KFP v2
 * runs a spec as one Argo workflow, which Argo refuses over 1 MiB, far below this many
 * components: a call that would take a spec past it is refused instead of copied.
 */
export const MAX_SPEC_COMPONENTS = 5_000;

/** One pipeline as KFP builds its spec: components and executors in the order added, and its root. */
export interface PipelineParts {
  readonly components: Map<string, JsonObject>;
  readonly executors: Map<string, JsonObject>;
  /** The platform spec's executors (Kubernetes settings), by executor label. */
  readonly platform: Map<string, JsonObject>;
  readonly root: JsonObject;
}

export class Assembly {
  readonly components = new Map<string, JsonObject>();
  readonly executors = new Map<string, JsonObject>();
  readonly platform = new Map<string, JsonObject>();
  /** A call was refused as too large: this spec is incomplete, and a caller must not copy it. */
  tooLarge = false;
  private readonly componentNames = new NameAllocator();
  private readonly executorNames = new NameAllocator();

  /**
   * `lowered`: a component's spec and executor (undefined when it was refused);
   * `callee`: the parts of a called pipeline (undefined when it was refused).
   */
  constructor(
    private readonly lowered: (c: IrComponent) => LoweredComponent | undefined,
    private readonly callee: (name: string) => PipelineParts | undefined,
    /** A call refused because its copy would take the spec past MAX_SPEC_COMPONENTS. */
    private readonly refuseLarge: (e: Extract<Entry, { kind: 'call' }>, components: number) => void = () => {},
  ) {}

  /** Names the components of a DAG and of everything under it, in KFP's order. */
  walk(scope: Scope): void {
    const groups = scope.entries.filter((e): e is Extract<Entry, { kind: 'group' }> => e.kind === 'group');
    for (const g of groups) this.add(`comp-${g.scope.key!}`, g.scope.component!, g.ref);
    for (const e of scope.entries) if (e.kind !== 'group') this.entry(e);
    for (const g of groups) this.walk(g.scope);
  }

  /** A task's component and executor, or a call's merged pipeline. */
  entry(e: Exclude<Entry, { kind: 'group' }>): void {
    if (e.kind === 'call') {
      const parts = this.callee(e.pipeline);
      if (!parts) return;
      const components = this.components.size + parts.components.size + 1;
      if (components > MAX_SPEC_COMPONENTS) {
        this.tooLarge = true;
        this.refuseLarge(e, components);
      } else this.add(`comp-${e.task}`, this.merge(parts), e.ref);
      return;
    }
    let spec: JsonObject;
    let container: JsonObject;
    if (typeof e.component === 'string') {
      const builtin = e.component === 'createpvc' ? CREATE_PVC : DELETE_PVC;
      spec = builtin.spec;
      container = builtin.executor.container as JsonObject;
    } else {
      const l = this.lowered(e.component);
      if (!l) return;
      spec = l.spec;
      const base = l.executor.container as JsonObject;
      const patch = e.container ?? {};
      const env = [...((base.env as unknown[] | undefined) ?? []), ...((patch.env as unknown[] | undefined) ?? [])];
      container = { ...base, ...patch, ...(env.length ? { env } : {}) };
    }
    const label = this.executorNames.unique(`exec-${e.task}`);
    this.executors.set(label, { container });
    if (e.kubernetes) this.platform.set(label, e.kubernetes);
    this.add(`comp-${e.task}`, { ...spec, executorLabel: label }, e.ref);
  }

  private add(base: string, spec: JsonObject, ref: JsonObject): void {
    const name = this.componentNames.unique(base);
    ref.name = name;
    this.components.set(name, spec);
  }

  /** A copy of a called pipeline's executors and components, renamed where taken; its root, renamed to match. */
  private merge(parts: PipelineParts): JsonObject {
    const labels = new Map<string, string>();
    for (const [label, executor] of parts.executors) {
      const name = this.executorNames.unique(label);
      labels.set(label, name);
      this.executors.set(name, structuredClone(executor));
      const k8s = parts.platform.get(label);
      if (k8s) this.platform.set(name, structuredClone(k8s));
    }
    const names = new Map<string, string>();
    for (const name of parts.components.keys()) names.set(name, this.componentNames.unique(name));
    const renamed = (c: JsonObject): JsonObject => {
      const copy = structuredClone(c);
      if (typeof copy.executorLabel === 'string') copy.executorLabel = labels.get(copy.executorLabel) ?? copy.executorLabel;
      const tasks = ((copy.dag as JsonObject | undefined)?.tasks ?? {}) as { [task: string]: { componentRef: { name: string } } };
      for (const t of Object.values(tasks)) t.componentRef.name = names.get(t.componentRef.name) ?? t.componentRef.name;
      return copy;
    };
    for (const [name, c] of parts.components) this.components.set(names.get(name)!, renamed(c));
    return renamed(parts.root);
  }
}
