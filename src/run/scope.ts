/**
 * What a DAG task can see of other tasks: `{{tasks.T.outputs.parameters.P}}`,
 * `{{tasks.T.outputs.result}}`, `{{tasks.T.status}}`, `{{tasks.T.id}}` and artifact
 * references `{{tasks.T.outputs.artifacts.A}}`. For a loop task, parameters and results are
 * aggregated over the children that produced them, in item order, the way Argo does.
 */
import { goJson } from './gojson.js';
import type { ArtifactValue, NodeRecord } from './types.js';

export interface TaskState {
  readonly node: NodeRecord;
  /** Set for a loop task: its children, in item order. */
  readonly children?: readonly NodeRecord[];
}

export interface Scope {
  readonly params: Map<string, string>;
  readonly artifacts: Map<string, ArtifactValue>;
}

export function taskScope(states: ReadonlyMap<string, TaskState>, taskNames: Iterable<string>): Scope {
  const scope: Scope = { params: new Map(), artifacts: new Map() };
  for (const name of taskNames) {
    const state = states.get(name);
    if (state) addTask(scope, `tasks.${name}`, state);
  }
  return scope;
}

function addTask(scope: Scope, prefix: string, { node, children }: TaskState): void {
  scope.params.set(`${prefix}.id`, node.id);
  scope.params.set(`${prefix}.status`, node.phase);
  if (node.startedAt !== undefined) scope.params.set(`${prefix}.startedAt`, new Date(node.startedAt).toISOString());
  if (node.finishedAt !== undefined) scope.params.set(`${prefix}.finishedAt`, new Date(node.finishedAt).toISOString());
  if (children) {
    addAggregate(scope, prefix, children);
    return;
  }
  if (node.phase !== 'Succeeded') return;
  for (const [p, v] of Object.entries(node.outputs.parameters)) scope.params.set(`${prefix}.outputs.parameters.${p}`, v);
  if (node.outputs.result !== undefined) scope.params.set(`${prefix}.outputs.result`, node.outputs.result);
  for (const [a, path] of Object.entries(node.outputs.artifacts)) scope.artifacts.set(`${prefix}.outputs.artifacts.${a}`, { path });
}

function addAggregate(scope: Scope, prefix: string, children: readonly NodeRecord[]): void {
  const produced = children.filter((c) => c.phase === 'Succeeded');
  const perParam = new Map<string, string[]>();
  for (const c of produced) {
    for (const [p, v] of Object.entries(c.outputs.parameters)) perParam.set(p, [...(perParam.get(p) ?? []), v]);
  }
  scope.params.set(`${prefix}.outputs.parameters`, goJson(produced.filter((c) => Object.keys(c.outputs.parameters).length > 0).map((c) => c.outputs.parameters)));
  for (const [p, values] of perParam) scope.params.set(`${prefix}.outputs.parameters.${p}`, aggregatedJsonList(values));
  const results = produced.flatMap((c) => (c.outputs.result !== undefined ? [c.outputs.result] : []));
  scope.params.set(`${prefix}.outputs.result`, goJson(results.map(resultItem)));
}

/**
 * Argo's aggregatedJSONValueList: when every value is a JSON object or array, a JSON list of
 * them; otherwise a JSON list of the values as strings (`["5","1"]`).
 */
export function aggregatedJsonList(values: readonly string[]): string {
  const parsed: unknown[] = [];
  for (const v of values) {
    try {
      const j: unknown = JSON.parse(v);
      if (typeof j !== 'object' || j === null) return goJson(values);
      parsed.push(j);
    } catch {
      return goJson(values);
    }
  }
  return goJson(parsed);
}

/** A child's result in the aggregated `outputs.result`: a JSON map stays a map, anything else is a string. */
function resultItem(result: string): unknown {
  try {
    const j: unknown = JSON.parse(result);
    if (typeof j === 'object' && j !== null && !Array.isArray(j)) return j;
  } catch {
    // not JSON
  }
  return result;
}
