/**
 * Which artifacts of a run's tasks are metrics or UI metadata, known from the IR (an output
 * of type `metrics` or `ui_metadata`) rather than from one target's artifact names: kfp-v1
 * calls them `mlpipeline-metrics` and `mlpipeline-ui-metadata`, plain argo names them like
 * any other output, `<component>-<output>`. The summary reads the metrics table from them
 * and leaves them out of the task's outputs.
 */
import type { IrProgram } from '../ir/ir.js';
import { NameAllocator, sanitizeK8sName, taskName } from '../names.js';

export interface UiArtifacts {
  readonly metrics: ReadonlySet<string>;
  readonly uiMetadata: ReadonlySet<string>;
}

const NONE: UiArtifacts = { metrics: new Set(), uiMetadata: new Set() };

/**
 * The UI artifacts of a workflow template. Templates are named after their component as the
 * Argo backends name them (src/lower/workflow.ts: kfp's task name, made unique in program
 * order; a variant of a component's template gets `-2`, `-3`…).
 */
export function uiArtifactsOf(program: IrProgram): (template: string) => UiArtifacts {
  const bases = new NameAllocator();
  const byBase = new Map<string, UiArtifacts>();
  for (const c of program.components) {
    const base = bases.unique(taskName(c.name));
    const named = (type: string, fixed: string): Set<string> =>
      new Set(c.outputs.filter((o) => o.type === type).flatMap((o) => [fixed, `${base}-${sanitizeK8sName(o.name, true)}`]));
    byBase.set(base, { metrics: named('metrics', 'mlpipeline-metrics'), uiMetadata: named('ui_metadata', 'mlpipeline-ui-metadata') });
  }
  return (template) => byBase.get(template) ?? byBase.get(template.replace(/-\d+$/, '')) ?? NONE;
}
