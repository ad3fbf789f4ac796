/**
 * One pipeline lowered to KFP v2's parts: its DAGs (dag.ts), then its components and executors
 * named in KFP's order (assemble.ts), with the root's inputs. A pipeline it calls is lowered
 * the same way, alone (its own task and sub-DAG names, as KFP compiles a pipeline before it
 * is used as a component), once per build, and merged into the caller at each call.
 */
import type { IrComponent, IrPipeline, IrProgram } from '../../ir/ir.js';
import { Assembly, MAX_SPEC_COMPONENTS, type PipelineParts } from './assemble.js';
import { DagLowering, type Refusal } from './dag.js';
import { portDefinitions, type JsonObject, type LoweredComponent } from './executors.js';

export interface PartsContext {
  readonly program: IrProgram;
  readonly refuse: (r: Refusal) => void;
  /** A component's spec and executor, lowered once per build (undefined: refused). */
  readonly lowered: (c: IrComponent) => LoweredComponent | undefined;
}

/** The pipelines a call may name, by call name: the program's own and those of its modules. */
function callablePipelines(program: IrProgram): Map<string, IrPipeline> {
  const out = new Map<string, IrPipeline>();
  for (const p of [...program.pipelines, ...(program.graphs ?? [])]) if (p.name !== undefined) out.set(p.name, p);
  return out;
}

/**
 * The called pipelines of a program whose copy went past MAX_SPEC_COMPONENTS, by call name: not
 * lowered again for the program's other pipelines, so that a chain of them costs one descent.
 */
const pastCap = new WeakMap<IrProgram, Set<string>>();

/** The parts of `p` built on its own, with `platformConfig` (`platforms.kubernetes.pipelineConfig`). */
export function pipelineParts(ctx: PartsContext, p: IrPipeline): { parts: PipelineParts; pipelineConfig: JsonObject } {
  const callable = callablePipelines(ctx.program);
  // Each called pipeline is lowered once for this build (its tasks take `p`'s settings) and copied at each call.
  const called = new Map<string, PipelineParts | undefined>();
  let tooLarge = pastCap.get(ctx.program);
  if (!tooLarge) pastCap.set(ctx.program, (tooLarge = new Set()));
  const large = tooLarge;
  const lower = (q: IrPipeline, calling: readonly string[]): { parts: PipelineParts; pipelineConfig: JsonObject; tooLarge: boolean } => {
    const lowering = new DagLowering(q, ctx.program.components, ctx.refuse, callable, calling, p);
    const { root, scope, late } = lowering.lower();
    const assembly = new Assembly(
      ctx.lowered,
      (name) => {
        if (!called.has(name)) {
          // A callee past the size cap is not copied: its call is where the cap was reported, once.
          const callee = large.has(name) ? undefined : lower(callable.get(name)!, [...calling, name]);
          if (callee?.tooLarge) large.add(name);
          called.set(name, callee && !callee.tooLarge ? callee.parts : undefined);
        }
        return called.get(name);
      },
      (e, components) =>
        ctx.refuse({ what: 'too-large', detail: `the call of \`${e.pipeline}\`: each call holds a copy of the pipeline it calls, and this one would make ${components.toLocaleString('en-US')} components (at most ${MAX_SPEC_COMPONENTS.toLocaleString('en-US')})`, span: e.span }),
    );
    assembly.walk(scope);
    for (const e of late) if (e.kind !== 'group') assembly.entry(e);
    const params = portDefinitions(
      q.params.map((x) => ({ name: x.name, type: x.type, optional: x.default !== undefined, ...(x.default ? { default: x.default } : {}) })),
      true,
    );
    const parts: PipelineParts = {
      components: assembly.components,
      executors: assembly.executors,
      platform: assembly.platform,
      root: { ...root, ...(params ? { inputDefinitions: params } : {}) },
    };
    return { parts, pipelineConfig: lowering.pipelineConfig, tooLarge: assembly.tooLarge };
  };
  return lower(p, p.name !== undefined ? [p.name] : []);
}
