/**
 * The pipeline DAG as a picture: Mermaid (a `flowchart TD` that GitHub renders in markdown)
 * and Graphviz DOT. Both are drawn from one model built from the IR, so they always agree:
 *
 * - nodes: tasks (`name` over the component name) and volumes (cylinders); an existing
 *   PersistentVolumeClaim that a task mounts (`pvc("name")`) is a cylinder too, drawn first;
 * - groups: conditions (labelled with the condition written back as text), loops
 *   (`for each item in …`) and the `finally` block, nested as in the source;
 * - edges: solid for data (an argument, env value or fan-in from another task's output, and a
 *   condition's operands or a loop's items, which point at the group), dashed for ordering
 *   (`after`) and for volume mounts (volume → task).
 *
 * The output is deterministic: nodes and edges come in source order. IDs are `t_<task>`,
 * `v_<volume>`, `c_<claim>` and `g_<group>` with anything but letters, digits and `_`
 * replaced by `_`, which keeps them valid for both languages.
 */
import type { IrSettingValue, IrCondExpr, IrConst, IrEnvVar, IrPipeline, IrValue, Json } from '../ir/ir.js';
// The picture shows the pipeline as kfp v1 runs it: its task names, one group per `if`/`elif`/`else` arm.
import { shapePipeline, type ShapedLoop as IrLoop, type ShapedNode as IrNode, type ShapedPipeline } from '../lower/shape.js';

// ---------------------------------------------------------------------------------------------
// The model

interface GraphNode {
  kind: 'node';
  id: string;
  /** `subroutine`: a call of another pipeline. */
  shape: 'box' | 'cylinder' | 'subroutine';
  /** Lines of the label, unescaped. */
  lines: string[];
}

interface GraphGroup {
  kind: 'group';
  id: string;
  label: string;
  children: GraphItem[];
}

type GraphItem = GraphNode | GraphGroup;

interface GraphEdge {
  from: string;
  to: string;
  style: 'solid' | 'dashed';
  /** Set when `to` is a group. */
  toGroup: boolean;
}

interface Graph {
  items: GraphItem[];
  edges: GraphEdge[];
}

function sanitizeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

class GraphBuilder {
  private readonly used = new Set<string>();
  /** Task and volume names → node ids. */
  private readonly nodeIds = new Map<string, string>();
  private readonly claimIds = new Map<string, string>();
  private readonly edges: GraphEdge[] = [];
  private readonly edgeKeys = new Set<string>();

  constructor(private readonly p: ShapedPipeline) {}

  build(): Graph {
    // Ids for every task and volume first, so that references resolve whatever their order.
    this.assignIds(this.p.body);
    if (this.p.exit) this.assignIds(this.p.exit);
    // Existing claims outlive the run: they are drawn first, outside every group.
    const items: GraphItem[] = [...this.claimIds].map(([claim, id]) => ({ kind: 'node', id, shape: 'cylinder', lines: [claim, 'existing claim'] }));
    items.push(...this.items(this.p.body));
    if (this.p.exit) items.push({ kind: 'group', id: this.unique('g_finally'), label: 'finally', children: this.items(this.p.exit) });
    return { items, edges: this.edges };
  }

  private unique(base: string): string {
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.used.add(id);
    return id;
  }

  private assignIds(nodes: IrNode[]): void {
    for (const n of nodes) {
      if (n.kind === 'task') {
        this.nodeIds.set(n.name, this.unique(`t_${sanitizeId(n.name)}`));
        for (const m of n.settings.mounts ?? []) {
          if (m.claim !== undefined && !this.claimIds.has(m.claim)) this.claimIds.set(m.claim, this.unique(`c_${sanitizeId(m.claim)}`));
        }
      } else if (n.kind === 'volume') this.nodeIds.set(n.name, this.unique(`v_${sanitizeId(n.name)}`));
      else if (n.kind === 'resource') this.nodeIds.set(n.name, this.unique(`r_${sanitizeId(n.name)}`));
      else if (n.kind === 'call') this.nodeIds.set(n.name, this.unique(`p_${sanitizeId(n.name)}`));
      else this.assignIds(n.body);
    }
  }

  private items(nodes: IrNode[]): GraphItem[] {
    const out: GraphItem[] = [];
    for (const n of nodes) {
      switch (n.kind) {
        case 'task': {
          const id = this.nodeIds.get(n.name) ?? '';
          const mounts = n.settings.mounts ?? [];
          out.push({ kind: 'node', id, shape: 'box', lines: [n.name, n.component] });
          for (const v of Object.values(n.args)) this.dataEdge(v, id, false);
          for (const e of n.settings.env ?? []) this.envEdge(e, id);
          for (const a of n.after) this.orderEdge(a, id);
          for (const m of mounts) {
            const from = m.volumeTask !== undefined ? this.nodeIds.get(m.volumeTask) : m.claim !== undefined ? this.claimIds.get(m.claim) : undefined;
            if (from !== undefined) this.addEdge(from, id, 'dashed', false);
          }
          break;
        }
        case 'volume': {
          const id = this.nodeIds.get(n.name) ?? '';
          out.push({ kind: 'node', id, shape: 'cylinder', lines: [n.name, `${n.resourceName} (${settingText(n.size)})`] });
          for (const a of n.after) this.orderEdge(a, id);
          break;
        }
        case 'resource': {
          const id = this.nodeIds.get(n.name) ?? '';
          const m = n.manifest as { kind?: unknown };
          out.push({ kind: 'node', id, shape: 'box', lines: [n.name, `${n.action} ${typeof m.kind === 'string' ? m.kind : 'resource'}`] });
          for (const v of n.refs) this.dataEdge(v, id, false);
          for (const a of n.after) this.orderEdge(a, id);
          break;
        }
        case 'call': {
          const id = this.nodeIds.get(n.name) ?? '';
          out.push({ kind: 'node', id, shape: 'subroutine', lines: [n.name, `pipeline ${n.pipeline}`] });
          for (const v of Object.values(n.args)) this.dataEdge(v, id, false);
          for (const a of n.after) this.orderEdge(a, id);
          break;
        }
        case 'condition': {
          const id = this.unique(`g_${sanitizeId(n.name)}`);
          for (const v of condValues(n.when)) this.dataEdge(v, id, true);
          out.push({ kind: 'group', id, label: condText(n.when), children: this.items(n.body) });
          break;
        }
        case 'loop': {
          const id = this.unique(`g_${sanitizeId(n.name)}`);
          if (!('const' in n.items)) this.dataEdge(n.items, id, true);
          out.push({ kind: 'group', id, label: loopLabel(n), children: this.items(n.body) });
          break;
        }
      }
    }
    return out;
  }

  private dataEdge(v: IrValue, to: string, toGroup: boolean): void {
    const task = 'output' in v ? v.output.task : 'collect' in v ? v.collect.task : undefined;
    if (task === undefined) return;
    const from = this.nodeIds.get(task);
    if (from !== undefined) this.addEdge(from, to, 'solid', toGroup);
  }

  private envEdge(e: IrEnvVar, to: string): void {
    if (e.value) this.dataEdge(e.value, to, false);
  }

  private orderEdge(name: string, to: string): void {
    const from = this.nodeIds.get(name);
    // Data already orders the two tasks: a second, dashed arrow would only add clutter.
    if (from !== undefined && !this.edgeKeys.has(`${from} ${to} solid`)) this.addEdge(from, to, 'dashed', false);
  }

  private addEdge(from: string, to: string, style: GraphEdge['style'], toGroup: boolean): void {
    const key = `${from} ${to} ${style}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push({ from, to, style, toGroup });
  }
}

// ---------------------------------------------------------------------------------------------
// Conditions, values and literals written back as text

function condValues(c: IrCondExpr): IrValue[] {
  if ('compare' in c) return [c.left, c.right];
  if ('and' in c) return c.and.flatMap(condValues);
  if ('or' in c) return c.or.flatMap(condValues);
  if ('not' in c) return condValues(c.not);
  return [c.truthy];
}

/** A condition as .kfp would write it: `not` binds tighter than `and`, which binds tighter than `or`. */
export function condText(c: IrCondExpr): string {
  if ('compare' in c) return `${valueText(c.left)} ${c.compare} ${valueText(c.right)}`;
  if ('and' in c) return c.and.map((x) => ('or' in x ? `(${condText(x)})` : condText(x))).join(' and ');
  if ('or' in c) return c.or.map(condText).join(' or ');
  if ('not' in c) return 'truthy' in c.not ? `not ${condText(c.not)}` : `not (${condText(c.not)})`;
  return valueText(c.truthy);
}

function outputText(o: { task: string; name: string }): string {
  return o.name === 'Output' ? o.task : `${o.task}.${o.name}`;
}

export function valueText(v: IrValue): string {
  if ('const' in v) return constText(v);
  if ('param' in v) return v.param;
  if ('output' in v) return outputText(v.output);
  if ('item' in v) return v.item.field !== undefined ? `item.${v.item.field}` : 'item';
  return `[${outputText(v.collect)} …]`;
}

function constText(c: IrConst): string {
  if (typeof c.const === 'number' && c.isFloat && Number.isInteger(c.const)) return `${c.const}.0`;
  return literalText(c.const);
}

function literalText(j: Json): string {
  if (j === null) return 'null';
  if (typeof j === 'string') return JSON.stringify(j);
  if (typeof j === 'number' || typeof j === 'boolean') return String(j);
  if (Array.isArray(j)) return `[${j.map(literalText).join(', ')}]`;
  const fields = Object.entries(j).map(([k, v]) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)}: ${literalText(v)}`);
  return `{${fields.join(', ')}}`;
}

function settingText(v: IrSettingValue): string {
  return typeof v === 'object' ? valueText(v) : String(v);
}

function loopLabel(l: IrLoop): string {
  const items = 'const' in l.items ? constText(l.items) : valueText(l.items);
  return `for each item in ${items}${l.parallelism !== undefined ? ` (parallelism ${l.parallelism})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Mermaid

const mermaidEntities: { [ch: string]: string } = { '#': '#35;', '"': '#quot;', '&': '#amp;', '<': '#lt;', '>': '#gt;' };

/** Text for a quoted Mermaid label: entity codes for what Mermaid or HTML would interpret. */
function mermaidText(s: string): string {
  return s.replace(/[#"&<>]/g, (ch) => mermaidEntities[ch] ?? ch).replace(/[\u0000-\u001f\u007f]/g, ' ');
}

export function toMermaid(p: IrPipeline): string {
  const g = new GraphBuilder(shapePipeline(p)).build();
  const lines = ['flowchart TD'];
  const emit = (items: GraphItem[], indent: string): void => {
    for (const it of items) {
      if (it.kind === 'group') {
        lines.push(`${indent}subgraph ${it.id} ["${mermaidText(it.label)}"]`);
        emit(it.children, `${indent}  `);
        lines.push(`${indent}end`);
      } else {
        const label = it.lines.map(mermaidText).join('<br/>');
        lines.push(it.shape === 'cylinder' ? `${indent}${it.id}[("${label}")]` : it.shape === 'subroutine' ? `${indent}${it.id}[["${label}"]]` : `${indent}${it.id}["${label}"]`);
      }
    }
  };
  emit(g.items, '  ');
  for (const e of g.edges) lines.push(`  ${e.from} ${e.style === 'dashed' ? '-.->' : '-->'} ${e.to}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// DOT

function dotString(s: string): string {
  return `"${s.replace(/["\\]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, '\\n')}"`;
}

export function toDot(p: IrPipeline): string {
  const g = new GraphBuilder(shapePipeline(p)).build();
  // An edge cannot end at a cluster in DOT: it ends at a node inside, clipped at the border (lhead).
  const anchors = new Map<string, string>();
  const lines = [`digraph ${dotString(p.displayName)} {`, '  compound=true;', '  node [shape=box, style=rounded];'];
  const emit = (items: GraphItem[], indent: string): string | undefined => {
    let first: string | undefined;
    for (const it of items) {
      if (it.kind === 'group') {
        lines.push(`${indent}subgraph cluster_${it.id} {`, `${indent}  label=${dotString(it.label)};`);
        let anchor = emit(it.children, `${indent}  `);
        if (anchor === undefined) {
          anchor = `${it.id}_anchor`;
          lines.push(`${indent}  ${anchor} [shape=point, style=invis];`);
        }
        lines.push(`${indent}}`);
        anchors.set(it.id, anchor);
        first ??= anchor;
      } else {
        const label = it.lines.map((l) => dotString(l).slice(1, -1)).join('\\n');
        lines.push(`${indent}${it.id} [label="${label}"${it.shape === 'cylinder' ? ', shape=cylinder, style=solid' : it.shape === 'subroutine' ? ', peripheries=2' : ''}];`);
        first ??= it.id;
      }
    }
    return first;
  };
  emit(g.items, '  ');
  for (const e of g.edges) {
    const attrs: string[] = [];
    let to = e.to;
    if (e.toGroup) {
      to = anchors.get(e.to) ?? e.to;
      attrs.push(`lhead=cluster_${e.to}`);
    }
    if (e.style === 'dashed') attrs.push('style=dashed');
    lines.push(`  ${e.from} -> ${to}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
