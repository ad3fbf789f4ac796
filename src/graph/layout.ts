/**
 * Positions for the graph model (graph.ts), by dagre (@dagrejs/dagre): layered layout of a
 * compound graph, edge routes and label places. Text is measured as columns of a monospace
 * font (the pictures draw in one), so the layout needs no browser and is the same on every
 * machine.
 *
 * dagre cannot end an edge at a cluster, so each group gets a head: a small node at its top
 * holding its label (`if n > 1`, `for row in rows`), which arrows into the group end at, and
 * which sits above the group's other members (invisible edges from it to each of them).
 */
import { Graph as DagreGraph, layout as dagreLayout } from '@dagrejs/dagre';
import type { Graph, GraphEdge, GraphGroup, GraphItem, GraphNode } from './graph.js';
import { columns } from './markup.js';

/** Font metrics the pictures are drawn with (svg.ts): 12px monospace, 0.6em per column. */
export const CHAR_WIDTH = 7.2;
export const LINE_HEIGHT = 16;
const PAD_X = 12;
const PAD_Y = 8;
const LABEL_CHAR = 6.6;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedNode extends Box {
  item: GraphNode;
}

export interface PlacedGroup extends Box {
  item: GraphGroup;
  depth: number;
  /** The head holding the group's label. */
  head: Box;
}

export interface PlacedEdge {
  edge: GraphEdge;
  points: { x: number; y: number }[];
  label?: { text: string } & Box;
}

export interface Placed {
  width: number;
  height: number;
  nodes: PlacedNode[];
  groups: PlacedGroup[];
  edges: PlacedEdge[];
}

export interface LayoutOptions {
  /** Lines a node shows below its label (the run report's status line). */
  extraLines?: number;
}

const headId = (group: string): string => `${group}__head`;
const textWidth = (lines: readonly string[], charWidth = CHAR_WIDTH): number => Math.max(0, ...lines.map((l) => columns(l))) * charWidth;

/** The label an edge shows: what flows along it, shortened when long. */
export function edgeLabel(e: GraphEdge): string {
  const text = e.labels.join(', ');
  return [...text].length > 40 ? `${[...text].slice(0, 39).join('')}…` : text;
}

export function layoutGraph(g: Graph, opts: LayoutOptions = {}): Placed {
  const dg = new DagreGraph({ compound: true, multigraph: true });
  dg.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 36, edgesep: 12, marginx: 16, marginy: 16 });
  const extra = opts.extraLines ?? 0;
  const groups: { item: GraphGroup; depth: number }[] = [];
  const nodes: GraphNode[] = [];
  const add = (items: readonly GraphItem[], parent: string | undefined, depth: number): void => {
    for (const it of items) {
      if (it.kind === 'group') {
        groups.push({ item: it, depth });
        dg.setNode(it.id, {});
        if (parent) dg.setParent(it.id, parent);
        const head = headId(it.id);
        dg.setNode(head, { width: textWidth([it.label]) + 2 * PAD_X, height: LINE_HEIGHT + PAD_Y });
        dg.setParent(head, it.id);
        add(it.children, it.id, depth + 1);
        // The head sits above the group's members: an unseen edge to each.
        for (const c of it.children) dg.setEdge(head, c.kind === 'group' ? headId(c.id) : c.id, { weight: 1, minlen: 1 }, `head:${c.id}`);
      } else {
        nodes.push(it);
        const lines = it.lines.length + extra;
        dg.setNode(it.id, { width: Math.max(extra > 0 ? 150 : 80, textWidth(it.lines) + 2 * PAD_X), height: lines * LINE_HEIGHT + 2 * PAD_Y + (it.shape === 'cylinder' ? 10 : 0) });
        if (parent) dg.setParent(it.id, parent);
      }
    }
  };
  add(g.items, undefined, 0);
  g.edges.forEach((e, i) => {
    const label = edgeLabel(e);
    const to = e.toGroup ? headId(e.to) : e.to;
    dg.setEdge(e.from, to, label ? { width: columns(label) * LABEL_CHAR + 8, height: 14, labelpos: 'c', weight: 2 } : { weight: 2 }, `e${i}`);
  });
  dagreLayout(dg);

  const box = (id: string): Box => {
    const n = dg.node(id) as { x: number; y: number; width: number; height: number };
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
  };
  const placedGroups = groups.map(({ item, depth }): PlacedGroup => ({ ...box(item.id), item, depth, head: box(headId(item.id)) }));
  const placedNodes = nodes.map((item): PlacedNode => ({ ...box(item.id), item }));
  const placedEdges = g.edges.map((edge, i): PlacedEdge => {
    const to = edge.toGroup ? headId(edge.to) : edge.to;
    const d = dg.edge({ v: edge.from, w: to, name: `e${i}` }) as { points: { x: number; y: number }[]; x?: number; y?: number; width?: number; height?: number };
    const text = edgeLabel(edge);
    return {
      edge,
      points: d.points.map((p) => ({ x: p.x, y: p.y })),
      ...(text && d.x !== undefined && d.y !== undefined ? { label: { text, x: d.x - (d.width ?? 0) / 2, y: d.y - (d.height ?? 0) / 2, width: d.width ?? 0, height: d.height ?? 0 } } : {}),
    };
  });
  const all: Box[] = [...placedGroups, ...placedNodes, ...placedEdges.flatMap((e) => (e.label ? [e.label] : []))];
  const width = Math.max(120, ...all.map((b) => b.x + b.width)) + 16;
  const height = Math.max(60, ...all.map((b) => b.y + b.height)) + 16;
  return { width, height, nodes: placedNodes, groups: placedGroups, edges: placedEdges };
}
