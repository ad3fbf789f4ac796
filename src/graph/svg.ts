/**
 * The laid-out graph (layout.ts) as one self-contained SVG: its own style, no fonts or
 * scripts from anywhere else. Tasks are `<g class="node" data-task="…">` with a `<title>`
 * holding their details (viewers show it on hover); groups are boxes with their label in a
 * head at the top; data edges are solid and labelled with what flows, `after` and mounts dashed.
 * Given statuses (the run report), nodes and groups get a `status-<phase>` class and a status
 * line; the colours are in the style below.
 */
import { buildGraph, type Graph, type LineOf } from './graph.js';
import { CHAR_WIDTH, LINE_HEIGHT, layoutGraph, type PlacedEdge, type PlacedGroup, type PlacedNode } from './layout.js';
import { esc, num } from './markup.js';
import type { IrPipeline } from '../ir/ir.js';

export interface NodeStatus {
  /** Succeeded, Failed, Error, Running, Skipped, Omitted, Pending… */
  readonly phase: string;
  /** The status line: `Succeeded 1.2s`, `2/4 Running`. */
  readonly text: string;
}

export interface SvgOptions {
  /** A task's or group's status by its Argo name (the run report). */
  readonly status?: (task: string) => NodeStatus | undefined;
}

export const PHASE_COLOURS: Readonly<Record<string, { stroke: string; fill: string }>> = {
  succeeded: { stroke: '#2e7d32', fill: '#e8f5e9' },
  failed: { stroke: '#c62828', fill: '#ffebee' },
  error: { stroke: '#c62828', fill: '#ffebee' },
  running: { stroke: '#1565c0', fill: '#e3f2fd' },
  skipped: { stroke: '#9e9e9e', fill: '#f5f5f5' },
  omitted: { stroke: '#9e9e9e', fill: '#f5f5f5' },
  pending: { stroke: '#757575', fill: '#ffffff' },
};

const STYLE = `
.kfpdsl-graph{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
.kfpdsl-graph .node rect,.kfpdsl-graph .node path.shape{fill:#fff;stroke:#455a64;stroke-width:1.2}
.kfpdsl-graph .node path.bars{fill:none;stroke:#455a64;stroke-width:1.2}
.kfpdsl-graph .node .name{font-weight:bold;fill:#212121}
.kfpdsl-graph .node .sub{fill:#546e7a}
.kfpdsl-graph .node .status-line{fill:#424242;font-size:11px}
.kfpdsl-graph .group>rect{fill:#fafafa;fill-opacity:.6;stroke:#90a4ae;stroke-dasharray:5 3}
.kfpdsl-graph .group-loop>rect{stroke:#7e57c2}
.kfpdsl-graph .group-finally>rect{stroke:#8d6e63}
.kfpdsl-graph .head rect{fill:#eceff1;stroke:#90a4ae}
.kfpdsl-graph .head-loop rect{fill:#ede7f6;stroke:#7e57c2}
.kfpdsl-graph .head text{fill:#37474f;font-style:italic}
.kfpdsl-graph .edge path{fill:none;stroke:#607d8b;stroke-width:1.3}
.kfpdsl-graph .edge-order path{stroke-dasharray:5 4}
.kfpdsl-graph .edge-label rect{fill:#fff;fill-opacity:.9}
.kfpdsl-graph .edge-label text{fill:#37474f;font-size:11px}
${Object.entries(PHASE_COLOURS)
  .map(([p, c]) => `.kfpdsl-graph .status-${p} rect,.kfpdsl-graph .status-${p} path.shape{stroke:${c.stroke};fill:${c.fill};stroke-width:2}`)
  .join('\n')}
.kfpdsl-graph .group.status-skipped>rect,.kfpdsl-graph .group.status-omitted>rect{fill:#eeeeee}
`;

export function toSvg(p: IrPipeline, lineOf?: LineOf): string {
  return renderSvg(buildGraph(p, lineOf));
}

/** The SVG of a graph model; `status` colours it (the run report). */
export function renderSvg(g: Graph, opts: SvgOptions = {}): string {
  const placed = layoutGraph(g, opts.status ? { extraLines: 1 } : {});
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="kfpdsl-graph" viewBox="0 0 ${num(placed.width)} ${num(placed.height)}" width="${num(placed.width)}" height="${num(placed.height)}" role="img" aria-label="${esc(g.title)}">`,
    `<title>${esc(g.title)}</title>`,
    `<style>${STYLE}</style>`,
    '<defs><marker id="kfpdsl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#607d8b"/></marker></defs>',
  );
  // Outer groups first, so inner ones are drawn over them.
  for (const grp of [...placed.groups].sort((a, b) => a.depth - b.depth)) out.push(groupSvg(grp, opts));
  for (const e of placed.edges) out.push(edgeSvg(e));
  for (const grp of placed.groups) out.push(headSvg(grp));
  for (const n of placed.nodes) out.push(nodeSvg(n, opts));
  for (const e of placed.edges) if (e.label) out.push(edgeLabelSvg(e));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function statusClass(task: string | undefined, opts: SvgOptions): { cls: string; status?: NodeStatus } {
  const status = task !== undefined ? opts.status?.(task) : undefined;
  return status ? { cls: ` status-${status.phase.toLowerCase()}`, status } : { cls: '' };
}

function groupSvg(g: PlacedGroup, opts: SvgOptions): string {
  const { cls, status } = statusClass(g.item.task, opts);
  const task = g.item.task !== undefined ? ` data-task="${esc(g.item.task)}"` : '';
  const title = `${g.item.label}${status ? `: ${status.text}` : ''}`;
  return `<g class="group group-${g.item.group}${cls}" data-id="${esc(g.item.id)}"${task}${status ? ` data-status="${esc(status.phase)}"` : ''}><title>${esc(title)}</title><rect x="${num(g.x)}" y="${num(g.y)}" width="${num(g.width)}" height="${num(g.height)}" rx="10"/></g>`;
}

function headSvg(g: PlacedGroup): string {
  const h = g.head;
  const label = g.item.group === 'condition' ? `if ${g.item.label}` : g.item.label;
  return `<g class="head head-${g.item.group}" data-group="${esc(g.item.id)}"><rect x="${num(h.x)}" y="${num(h.y)}" width="${num(h.width)}" height="${num(h.height)}" rx="${num(h.height / 2)}"/><text x="${num(h.x + h.width / 2)}" y="${num(h.y + h.height / 2 + 4)}" text-anchor="middle">${esc(label)}</text></g>`;
}

function nodeSvg(n: PlacedNode, opts: SvgOptions): string {
  const { cls, status } = statusClass(n.item.task, opts);
  const lines = [...n.item.lines];
  const cylinder = n.item.shape === 'cylinder';
  const top = n.y + (cylinder ? 10 : 0);
  const cx = n.x + n.width / 2;
  const title = [...n.item.lines.slice(0, 1), ...n.item.details.map(([k, v]) => `${k}: ${v}`), ...(status ? [`status: ${status.text}`] : [])].join('\n');
  const shape = cylinder
    ? (() => {
        const rx = n.width / 2;
        const ry = 6;
        return `<path class="shape" d="M${num(n.x)},${num(n.y + ry)}A${num(rx)},${ry} 0 0 0 ${num(n.x + n.width)},${num(n.y + ry)}V${num(n.y + n.height - ry)}A${num(rx)},${ry} 0 0 1 ${num(n.x)},${num(n.y + n.height - ry)}Z M${num(n.x)},${num(n.y + ry)}A${num(rx)},${ry} 0 0 1 ${num(n.x + n.width)},${num(n.y + ry)}"/>`;
      })()
    : n.item.shape === 'subroutine'
      // A call of another pipeline: the flowchart's subroutine box, a rectangle with inner side bars.
      ? `<rect x="${num(n.x)}" y="${num(n.y)}" width="${num(n.width)}" height="${num(n.height)}"/><path class="bars" d="M${num(n.x + 6)},${num(n.y)}V${num(n.y + n.height)}M${num(n.x + n.width - 6)},${num(n.y)}V${num(n.y + n.height)}"/>`
      : `<rect x="${num(n.x)}" y="${num(n.y)}" width="${num(n.width)}" height="${num(n.height)}" rx="6"/>`;
  const texts = lines.map((l, i) => `<text class="${i === 0 ? 'name' : 'sub'}" x="${num(cx)}" y="${num(top + 8 + (i + 1) * LINE_HEIGHT - 4)}" text-anchor="middle">${esc(fit(l, n.width))}</text>`);
  if (status) texts.push(`<text class="status-line" x="${num(cx)}" y="${num(top + 8 + (lines.length + 1) * LINE_HEIGHT - 4)}" text-anchor="middle">${esc(fit(status.text, n.width))}</text>`);
  const task = n.item.task !== undefined ? ` data-task="${esc(n.item.task)}"` : '';
  return `<g class="node node-${n.item.shape}${cls}" data-id="${esc(n.item.id)}"${task}${status ? ` data-status="${esc(status.phase)}"` : ''}><title>${esc(title)}</title>${shape}${texts.join('')}</g>`;
}

/** A line that fits the node's width (the status line may be longer than the label). */
function fit(text: string, width: number): string {
  const max = Math.floor((width - 8) / CHAR_WIDTH);
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

function edgeSvg(e: PlacedEdge): string {
  const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(p.x)},${num(p.y)}`).join('');
  const kind = e.edge.style === 'dashed' ? 'order' : 'data';
  return `<g class="edge edge-${kind}" data-from="${esc(e.edge.from)}" data-to="${esc(e.edge.to)}"><path d="${d}" marker-end="url(#kfpdsl-arrow)"/></g>`;
}

function edgeLabelSvg(e: PlacedEdge): string {
  const l = e.label!;
  return `<g class="edge-label" data-from="${esc(e.edge.from)}" data-to="${esc(e.edge.to)}"><rect x="${num(l.x)}" y="${num(l.y)}" width="${num(l.width)}" height="${num(l.height)}" rx="3"/><text x="${num(l.x + l.width / 2)}" y="${num(l.y + l.height - 3)}" text-anchor="middle">${esc(l.text)}</text></g>`;
}
