/**
 * The picture of a v2 run (report.html) drawn from the pipeline spec itself: a box per
 * executor task, a group per DAG task (a condition, a loop, an exit handler, a called
 * pipeline), edges from `dependentTasks`. Its task names are the spec's, which the run's
 * statuses are keyed by (a .kfp's own graph names tasks as the v1 target does).
 */
import type { Graph, GraphEdge, GraphItem } from '../../graph/graph.js';
import { arr, isObj, obj, str, type Obj } from '../spec.js';
import type { V2Spec } from './spec.js';

export function specGraph(spec: V2Spec, title: string): Graph {
  const edges: GraphEdge[] = [];
  const items = dagItems(spec, obj(spec.root['dag']), 'root', edges, new Set());
  return { title, items, edges };
}

function dagItems(spec: V2Spec, dag: Obj, prefix: string, edges: GraphEdge[], seen: ReadonlySet<string>): GraphItem[] {
  const tasks = obj(dag['tasks']);
  const idOf = (name: string): string => `${prefix}/${name}`;
  const items: GraphItem[] = [];
  for (const name of Object.keys(tasks).sort()) {
    const t = obj(tasks[name]);
    const ref = str(obj(t['componentRef'])['name']) ?? '';
    const c = obj(spec.components[ref]);
    const display = str(obj(t['taskInfo'])['name']) ?? name;
    if (isObj(c['dag']) && !seen.has(ref)) {
      const condition = str(obj(t['triggerPolicy'])['condition']);
      const looped = isObj(t['parameterIterator']);
      items.push({
        kind: 'group',
        id: idOf(name),
        label: looped ? `${display} (loop)` : condition !== undefined ? `${display}: ${condition}` : display,
        group: looped ? 'loop' : str(obj(t['triggerPolicy'])['strategy']) === 'ALL_UPSTREAM_TASKS_COMPLETED' ? 'finally' : 'condition',
        task: display,
        children: dagItems(spec, c['dag'], idOf(name), edges, new Set([...seen, ref])),
      });
    } else {
      items.push({ kind: 'node', id: idOf(name), shape: 'box', lines: [display], task: display, details: [['component', ref]] });
    }
  }
  // An edge starts at a box (the layout cannot start one at a group): after a group, from each box in it.
  const byId = new Map(items.map((it) => [it.id, it]));
  for (const name of Object.keys(tasks).sort()) {
    const to = byId.get(idOf(name));
    if (!to) continue;
    for (const d of arr(obj(tasks[name])['dependentTasks'])) {
      const from = typeof d === 'string' ? byId.get(idOf(d)) : undefined;
      for (const box of from ? boxesOf(from) : []) edges.push({ from: box, to: to.id, style: 'solid', toGroup: to.kind === 'group', labels: [] });
    }
  }
  return items;
}

function boxesOf(it: GraphItem): string[] {
  return it.kind === 'node' ? [it.id] : it.children.flatMap(boxesOf);
}
