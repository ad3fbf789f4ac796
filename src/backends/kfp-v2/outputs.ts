/**
 * A pipeline's declared outputs (`-> (model: file = fit.model)`) as KFP's compiler writes a
 * pipeline's return value: the root component's `outputDefinitions`, and its DAG's `outputs`,
 * each from a task of the root DAG (`valueFromParameter`, `artifactSelectors`) or a list
 * collected from a loop (from the loop's task). KFP v2 returns outputs from the top level of a
 * pipeline only: an output bound to a task inside an `if`, `for` or `finally` is refused.
 */
import type { IrNodeId, IrPipeline, IrType, IrValue } from '../../ir/ir.js';
import type { Refusal, Resolved } from './dag.js';
import type { JsonObject } from './executors.js';
import { artifactType, parameterType } from './types.js';

/** `resolve`: where a value comes from, seen from the root DAG; `local`: the root DAG's tasks. */
export function pipelineOutputs(
  pipeline: IrPipeline,
  local: ReadonlySet<IrNodeId>,
  resolve: (value: IrValue, type: IrType) => Resolved | undefined,
  refuse: (r: Refusal) => void,
): { dag: JsonObject; definitions: JsonObject } | undefined {
  const outs = pipeline.outputs ?? [];
  if (!outs.length) return undefined;
  const parameters: JsonObject = {};
  const artifacts: JsonObject = {};
  const paramDefs: JsonObject = {};
  const artifactDefs: JsonObject = {};
  for (const o of outs) {
    const v = o.value;
    const inner = 'output' in v ? v.output.task : 'collect' in v ? v.collect.task : undefined;
    if (inner === undefined || ('output' in v && !local.has(inner))) {
      const detail = `the pipeline output \`${o.name}\` bound to a task inside an \`if\`, \`for\` or \`finally\` block (KFP v2 returns outputs from the top level of a pipeline only)`;
      refuse({ what: 'value', detail, span: pipeline.nameOrigin });
      continue;
    }
    const r = resolve(v, o.type);
    if (!r) continue;
    if (r.artifact) {
      const from = r.spec.taskOutputArtifact as JsonObject;
      artifacts[o.name] = { artifactSelectors: [{ outputArtifactKey: from.outputArtifactKey, producerSubtask: from.producerTask }] };
      artifactDefs[o.name] = { artifactType: artifactType(o.type) };
    } else {
      const from = r.spec.taskOutputParameter as JsonObject;
      parameters[o.name] = { valueFromParameter: { outputParameterKey: from.outputParameterKey, producerSubtask: from.producerTask } };
      paramDefs[o.name] = { parameterType: 'collect' in v ? 'LIST' : parameterType(o.type) };
    }
  }
  const pick = (a: JsonObject, p: JsonObject): JsonObject => ({ ...(Object.keys(a).length ? { artifacts: a } : {}), ...(Object.keys(p).length ? { parameters: p } : {}) });
  const dag = pick(artifacts, parameters);
  return Object.keys(dag).length ? { dag, definitions: pick(artifactDefs, paramDefs) } : undefined;
}
