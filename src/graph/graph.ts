/**
 * The pipeline DAG as a picture: Mermaid (a `flowchart TD` that GitHub renders in markdown)
 * and Graphviz DOT here, SVG and HTML in svg.ts and html.ts (laid out by layout.ts), and the
 * run report's DAG (src/report/). All are drawn from one model built from the IR, so they
 * always agree:
 *
 * - nodes: tasks (`name` over the component name) and volumes (cylinders); an existing
 *   PersistentVolumeClaim that a task mounts (`pvc("name")`) is a cylinder too, drawn first;
 * - groups: conditions (labelled with the condition written back as text), loops
 *   (`for row in rows`, as written) and the `finally` block, nested as in the source;
 * - edges: solid for data (an argument, env value or fan-in from another task's output, and a
 *   condition's operands or a loop's items, which point at the group), dashed for ordering
 *   (`after`) and for volume mounts (volume → task). One arrow per pair: an arrow into a group
 *   stands for the same task's arrows to anything inside it (see `dedupe`).
 *
 * The output is deterministic: nodes and edges come in source order. IDs are `t_<task>`,
 * `v_<volume>`, `c_<claim>` and `g_<group>` with anything but letters, digits and `_`
 * replaced by `_`, which keeps them valid for both languages.
 */
import type { IrSettingValue, IrCondExpr, IrConst, IrEnvVar, IrPipeline, IrTaskSettings, IrValue, Json } from '../ir/ir.js';
// The picture shows the pipeline as kfp v1 runs it: its task names, one group per `if`/`elif`/`else` arm.
import { shapePipeline, type ShapedLoop as IrLoop, type ShapedNode as IrNode, type ShapedPipeline } from '../lower/shape.js';

// ---------------------------------------------------------------------------------------------
// The model

export interface GraphNode {
  kind: 'node';
  id: string;
  /** `subroutine`: a call of another pipeline. */
  shape: 'box' | 'cylinder' | 'subroutine';
  /** Lines of the label, unescaped. */
  lines: string[];
  /** The Argo task name of a task, volume or resource (what a run's statuses are keyed by). */
  task?: string;
  /** What the HTML picture shows on hover: component, inputs, settings, source line. */
  details: [string, string][];
}

export interface GraphGroup {
  kind: 'group';
  id: string;
  label: string;
  group: 'condition' | 'loop' | 'finally';
  /** The Argo name of the group's task (`condition-2`, `for-loop-1`); absent for `finally`. */
  task?: string;
  children: GraphItem[];
}

export type GraphItem = GraphNode | GraphGroup;

export interface GraphEdge {
  from: string;
  to: string;
  style: 'solid' | 'dashed';
  /** Set when `to` is a group. */
  toGroup: boolean;
  /** What flows along a data edge: the inputs it feeds, or the condition's or loop's operand. */
  labels: string[];
}

export interface Graph {
  title: string;
  items: GraphItem[];
  edges: GraphEdge[];
}

/** Where a node was written, as `file:line`, for hover details (absent: not shown). */
export type LineOf = (origin: { start: number; file?: string }) => string | undefined;

/** `file:line` of the program's own source; a component from a module (another file) is not placed. */
export function lineOfSource(source: { path: string; positionAt(offset: number): { line: number } }): LineOf {
  return (o) => (o.file === undefined || o.file === source.path ? `${source.path}:${source.positionAt(o.start).line}` : undefined);
}

function sanitizeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The pipeline's DAG as one model, which every format draws. */
export function buildGraph(p: IrPipeline, lineOf?: LineOf): Graph {
  const shaped = shapePipeline(p);
  return { title: p.displayName, ...new GraphBuilder(shaped, lineOf).build() };
}

class GraphBuilder {
  private readonly used = new Set<string>();
  /** Task and volume names → node ids. */
  private readonly nodeIds = new Map<string, string>();
  private readonly claimIds = new Map<string, string>();
  /** Loop names → their variables, for `row.b` in labels. */
  private readonly loopVars = new Map<string, string>();
  private readonly edges: GraphEdge[] = [];

  constructor(
    private readonly p: ShapedPipeline,
    private readonly lineOf?: LineOf,
  ) {}

  build(): { items: GraphItem[]; edges: GraphEdge[] } {
    // Ids for every task and volume first, so that references resolve whatever their order.
    this.assignIds(this.p.body);
    if (this.p.exit) this.assignIds(this.p.exit);
    // Existing claims outlive the run: they are drawn first, outside every group.
    const items: GraphItem[] = [...this.claimIds].map(([claim, id]) => ({ kind: 'node', id, shape: 'cylinder', lines: [claim, 'existing claim'], details: [['claim', claim]] }));
    items.push(...this.items(this.p.body));
    if (this.p.exit) items.push({ kind: 'group', id: this.unique('g_finally'), label: 'finally', group: 'finally', children: this.items(this.p.exit) });
    return { items, edges: dedupe(items, this.edges) };
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
      else {
        if (n.kind === 'loop') this.loopVars.set(n.name, n.variable);
        this.assignIds(n.body);
      }
    }
  }

  private text(v: IrValue): string {
    return valueText(v, this.loopVars);
  }

  private source(origin: { start: number; file?: string }): [string, string][] {
    const at = this.lineOf?.(origin);
    return at !== undefined ? [['source', at]] : [];
  }

  private items(nodes: IrNode[]): GraphItem[] {
    const out: GraphItem[] = [];
    for (const n of nodes) {
      switch (n.kind) {
        case 'task': {
          const id = this.nodeIds.get(n.name) ?? '';
          const mounts = n.settings.mounts ?? [];
          const details: [string, string][] = [['component', n.component]];
          for (const [k, v] of Object.entries(n.args)) details.push([`input ${k}`, this.text(v)]);
          details.push(...settingsDetails(n.settings, (v) => this.text(v)), ...this.source(n.origin));
          out.push({ kind: 'node', id, shape: 'box', lines: [n.name, n.component], task: n.name, details });
          for (const [k, v] of Object.entries(n.args)) this.dataEdge(v, id, false, k);
          for (const e of n.settings.env ?? []) this.envEdge(e, id);
          for (const a of n.after) this.orderEdge(a, id);
          for (const m of mounts) {
            const from = m.volumeTask !== undefined ? this.nodeIds.get(m.volumeTask) : m.claim !== undefined ? this.claimIds.get(m.claim) : undefined;
            if (from !== undefined) this.addEdge(from, id, 'dashed', false, m.path);
          }
          break;
        }
        case 'volume': {
          const id = this.nodeIds.get(n.name) ?? '';
          const size = settingText(n.size, this.loopVars);
          out.push({ kind: 'node', id, shape: 'cylinder', lines: [n.name, `${n.resourceName} (${size})`], task: n.name, details: [['volume', n.resourceName], ['size', size], ['modes', n.modes.join(', ')], ...this.source(n.origin)] });
          if (typeof n.size === 'object') this.dataEdge(n.size, id, false, 'size');
          for (const a of n.after) this.orderEdge(a, id);
          break;
        }
        case 'resource': {
          const id = this.nodeIds.get(n.name) ?? '';
          const m = n.manifest as { kind?: unknown };
          const what = `${n.action} ${typeof m.kind === 'string' ? m.kind : 'resource'}`;
          out.push({ kind: 'node', id, shape: 'box', lines: [n.name, what], task: n.name, details: [['resource', what], ...this.source(n.origin)] });
          for (const v of n.refs) this.dataEdge(v, id, false, this.text(v));
          for (const a of n.after) this.orderEdge(a, id);
          break;
        }
        case 'call': {
          const id = this.nodeIds.get(n.name) ?? '';
          const details: [string, string][] = [['pipeline', n.pipeline]];
          for (const [k, v] of Object.entries(n.args)) details.push([`input ${k}`, this.text(v)]);
          details.push(...this.source(n.origin));
          out.push({ kind: 'node', id, shape: 'subroutine', lines: [n.name, `pipeline ${n.pipeline}`], task: n.name, details });
          for (const [k, v] of Object.entries(n.args)) this.dataEdge(v, id, false, k);
          for (const a of n.after) this.orderEdge(a, id);
          break;
        }
        case 'condition': {
          const id = this.unique(`g_${sanitizeId(n.name)}`);
          for (const v of condValues(n.when)) this.dataEdge(v, id, true, this.text(v));
          out.push({ kind: 'group', id, label: condText(n.when, this.loopVars), group: 'condition', task: n.name, children: this.items(n.body) });
          break;
        }
        case 'loop': {
          const id = this.unique(`g_${sanitizeId(n.name)}`);
          if (!('const' in n.items)) this.dataEdge(n.items, id, true, this.text(n.items));
          out.push({ kind: 'group', id, label: loopLabel(n, this.loopVars), group: 'loop', task: n.name, children: this.items(n.body) });
          break;
        }
      }
    }
    return out;
  }

  private dataEdge(v: IrValue, to: string, toGroup: boolean, label: string): void {
    const task = 'output' in v ? v.output.task : 'collect' in v ? v.collect.task : undefined;
    if (task === undefined) return;
    const from = this.nodeIds.get(task);
    if (from !== undefined) this.addEdge(from, to, 'solid', toGroup, label);
  }

  private envEdge(e: IrEnvVar, to: string): void {
    if (e.value) this.dataEdge(e.value, to, false, `env ${e.name}`);
  }

  private orderEdge(name: string, to: string): void {
    const from = this.nodeIds.get(name);
    if (from !== undefined) this.addEdge(from, to, 'dashed', false);
  }

  private addEdge(from: string, to: string, style: GraphEdge['style'], toGroup: boolean, label?: string): void {
    const same = this.edges.find((e) => e.from === from && e.to === to && e.style === style);
    if (same) {
      if (label !== undefined && !same.labels.includes(label)) same.labels.push(label);
      return;
    }
    this.edges.push({ from, to, style, toGroup, labels: label !== undefined && style === 'solid' ? [label] : [] });
  }
}

/**
 * One arrow per pair of things, where the source wrote several: an arrow into a group (a
 * condition's operand, a loop's items) already leads to everything inside it, so an arrow
 * from the same task to something inside that group is dropped (its label joins the group's
 * arrow); a dashed `after` arrow beside a data arrow between the same two is dropped too.
 */
function dedupe(items: readonly GraphItem[], edges: readonly GraphEdge[]): GraphEdge[] {
  const inside = new Map<string, Set<string>>();
  const collect = (its: readonly GraphItem[], open: string[]): void => {
    for (const it of its) {
      for (const g of open) inside.get(g)!.add(it.id);
      if (it.kind === 'group') {
        inside.set(it.id, new Set());
        collect(it.children, [...open, it.id]);
      }
    }
  };
  collect(items, []);
  const out: GraphEdge[] = [];
  for (const e of edges) {
    const into = edges.filter((g) => g !== e && g.from === e.from && g.toGroup && inside.get(g.to)?.has(e.to));
    if (into.length > 0) {
      // The outermost group's arrow stands for this one.
      const outer = into.find((g) => !into.some((h) => h !== g && inside.get(h.to)?.has(g.to))) ?? into[0]!;
      for (const l of e.labels) if (!outer.labels.includes(l)) outer.labels.push(l);
      continue;
    }
    if (e.style === 'dashed' && edges.some((d) => d.style === 'solid' && d.from === e.from && d.to === e.to)) continue;
    out.push(e);
  }
  return out;
}

function settingsDetails(s: IrTaskSettings, text: (v: IrValue) => string): [string, string][] {
  const out: [string, string][] = [];
  const quantities = (q: { [r: string]: IrSettingValue }): string =>
    Object.entries(q)
      .map(([k, v]) => `${k} ${typeof v === 'object' ? text(v) : String(v)}`)
      .join(', ');
  if (s.requests) out.push(['requests', quantities(s.requests)]);
  if (s.limits) out.push(['limits', quantities(s.limits)]);
  if (s.retry) out.push(['retry', `${s.retry.limit}${s.retry.policy !== undefined ? ` (${s.retry.policy})` : ''}`]);
  if (s.timeoutSeconds !== undefined) out.push(['timeout', `${s.timeoutSeconds}s`]);
  if (s.cache !== undefined) out.push(['cache', String(s.cache)]);
  if (s.env) out.push(['env', s.env.map((e) => e.name).join(', ')]);
  if (s.mounts) out.push(['mounts', s.mounts.map((m) => m.path).join(', ')]);
  if (s.displayName !== undefined) out.push(['display name', s.displayName]);
  for (const k of ['nodeSelector', 'labels', 'annotations'] as const) {
    const v = s[k];
    if (v) out.push([k, Object.entries(v).map(([a, b]) => `${a}=${b}`).join(', ')]);
  }
  if (s.tolerations) out.push(['tolerations', String(s.tolerations.length)]);
  if (s.sidecars) out.push(['sidecars', s.sidecars.map((c) => c.name).join(', ')]);
  if (s.initContainers) out.push(['init containers', s.initContainers.map((c) => c.name).join(', ')]);
  return out;
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
export function condText(c: IrCondExpr, loopVars?: ReadonlyMap<string, string>): string {
  const sub = (x: IrCondExpr): string => condText(x, loopVars);
  if ('compare' in c) return `${valueText(c.left, loopVars)} ${c.compare} ${valueText(c.right, loopVars)}`;
  if ('and' in c) return c.and.map((x) => ('or' in x ? `(${sub(x)})` : sub(x))).join(' and ');
  if ('or' in c) return c.or.map(sub).join(' or ');
  if ('not' in c) return 'truthy' in c.not ? `not ${sub(c.not)}` : `not (${sub(c.not)})`;
  return valueText(c.truthy, loopVars);
}

function outputText(o: { task: string; name: string }): string {
  return o.name === 'Output' ? o.task : `${o.task}.${o.name}`;
}

/** A value as .kfp writes it; a loop's item by the loop's variable when `loopVars` (loop name → variable) knows it. */
export function valueText(v: IrValue, loopVars?: ReadonlyMap<string, string>): string {
  if ('const' in v) return constText(v);
  if ('param' in v) return v.param;
  if ('output' in v) return outputText(v.output);
  if ('item' in v) {
    const name = loopVars?.get(v.item.loop) ?? 'item';
    return v.item.field !== undefined ? `${name}.${v.item.field}` : name;
  }
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

function settingText(v: IrSettingValue, loopVars: ReadonlyMap<string, string>): string {
  return typeof v === 'object' ? valueText(v, loopVars) : String(v);
}

/** `for row in rows parallelism 2`, as the loop was written. */
function loopLabel(l: IrLoop, loopVars: ReadonlyMap<string, string>): string {
  const items = 'const' in l.items ? constText(l.items) : valueText(l.items, loopVars);
  return `for ${l.variable} in ${items}${l.parallelism !== undefined ? ` parallelism ${l.parallelism}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Mermaid

const mermaidEntities: { [ch: string]: string } = { '#': '#35;', '"': '#quot;', '&': '#amp;', '<': '#lt;', '>': '#gt;' };

/** Text for a quoted Mermaid label: entity codes for what Mermaid or HTML would interpret. */
function mermaidText(s: string): string {
  return s.replace(/[#"&<>]/g, (ch) => mermaidEntities[ch] ?? ch).replace(/[\u0000-\u001f\u007f]/g, ' ');
}

export function toMermaid(p: IrPipeline): string {
  const g = buildGraph(p);
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
  const g = buildGraph(p);
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
