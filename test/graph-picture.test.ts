/**
 * The SVG and HTML pictures of `kfpdsl graph` (src/graph/svg.ts, html.ts, layout.ts), without a
 * browser (test/browser.test.ts renders them): every task of every example is drawn once, inside
 * the boxes of its groups; edges are labelled with what flows; no format draws the same arrow
 * twice; hover details name the component and source line; the output is deterministic and
 * holds nothing from the network. And the real CLI writes them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { buildGraph, lineOfSource, toDot, toMermaid, type Graph, type GraphItem } from '../src/graph/graph.js';
import { toHtmlPage } from '../src/graph/html.js';
import { layoutGraph } from '../src/graph/layout.js';
import { renderSvg } from '../src/graph/svg.js';
import type { IrPipeline } from '../src/ir/ir.js';
import { SourceFile } from '../src/source.js';
import { repoRoot, runCli } from './support/cli.js';

const EXAMPLES = readdirSync(join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.kfp'))
  .map((f) => f.slice(0, -4))
  .sort();

function load(name: string): { p: IrPipeline; source: SourceFile } {
  const rel = `examples/${name}.kfp`;
  const source = new SourceFile(rel, readFileSync(join(repoRoot, rel), 'utf8'));
  const r = compileSource(source, { checkOnly: true });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { p: r.program!.pipelines[0]!, source };
}

function nodesOf(items: readonly GraphItem[], out: string[] = []): string[] {
  for (const it of items) {
    if (it.kind === 'group') nodesOf(it.children, out);
    else out.push(it.id);
  }
  return out;
}

/** Ids inside each group, nested ones included. */
function insideOf(g: Graph): Map<string, Set<string>> {
  const inside = new Map<string, Set<string>>();
  const walk = (items: readonly GraphItem[], open: string[]): void => {
    for (const it of items) {
      for (const o of open) inside.get(o)!.add(it.id);
      if (it.kind === 'group') {
        inside.set(it.id, new Set());
        walk(it.children, [...open, it.id]);
      }
    }
  };
  walk(g.items, []);
  return inside;
}

const NESTED = `
component gen() -> int {
  \`\`\`python
  return 1
  \`\`\`
}

component show(x: int, s: str) -> int {
  \`\`\`python
  print(x, s)
  return x
  \`\`\`
}

pipeline "nested" (flag: bool = true) {
  n = gen()
  for row in [{a: 1, b: "x"}, {a: 2, b: "y"}] parallelism 2 {
    if n > 1 and row.b == "x" {
      s = show(n, row.b) after n { retry: 2, cpu: "500m" }
      for v in [1, 2] {
        show(n, "inner") after s
      }
    }
  }
  finally {
    show(0, "bye")
  }
}
`;

const cases: [string, () => { p: IrPipeline; source: SourceFile }][] = [
  ...EXAMPLES.map((n): [string, () => { p: IrPipeline; source: SourceFile }] => [n, () => load(n)]),
  [
    'nested',
    () => {
      const source = new SourceFile('nested.kfp', NESTED);
      const r = compileSource(source, { checkOnly: true });
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      return { p: r.program!.pipelines[0]!, source };
    },
  ],
];

describe.each(cases)('graph pictures: %s', (_name, get) => {
  const { p, source } = get();
  const g = buildGraph(p, lineOfSource(source));
  const svg = renderSvg(g);

  it('draws every node once, with its task name', () => {
    for (const id of nodesOf(g.items)) expect(svg.split(`data-id="${id}"`).length - 1, id).toBe(1);
    const tasks = [...svg.matchAll(/<g class="node[^"]*" data-id="[^"]*" data-task="([^"]*)"/g)].map((m) => m[1]);
    expect(tasks.length).toBe(nodesOf(g.items).filter((id) => !id.startsWith('c_')).length);
  });

  it('places each node inside the boxes of its groups, and no two nodes on top of each other', () => {
    const placed = layoutGraph(g);
    const inside = insideOf(g);
    for (const grp of placed.groups) {
      for (const n of placed.nodes.filter((n) => inside.get(grp.item.id)!.has(n.item.id))) {
        expect(n.x, `${n.item.id} in ${grp.item.id}`).toBeGreaterThanOrEqual(grp.x - 0.5);
        expect(n.y).toBeGreaterThanOrEqual(grp.y - 0.5);
        expect(n.x + n.width).toBeLessThanOrEqual(grp.x + grp.width + 0.5);
        expect(n.y + n.height).toBeLessThanOrEqual(grp.y + grp.height + 0.5);
      }
    }
    for (const a of placed.nodes) {
      for (const b of placed.nodes) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `${a.item.id} overlaps ${b.item.id}`).toBe(false);
      }
    }
    for (const e of placed.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
  });

  it('draws no arrow twice in any format, and none beside the arrow into its group', () => {
    const pairs = g.edges.map((e) => `${e.from} ${e.to}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    const inside = insideOf(g);
    for (const e of g.edges) {
      const intoGroup = g.edges.some((o) => o.from === e.from && o.toGroup && inside.get(o.to)?.has(e.to));
      expect(intoGroup, `${e.from} -> ${e.to} is also reached through a group`).toBe(false);
    }
    const mermaid = toMermaid(p)
      .split('\n')
      .filter((l) => /-->|-\.->/.test(l))
      .map((l) => l.trim().replace(/-\.->|-->/, '->'));
    expect(new Set(mermaid).size).toBe(mermaid.length);
    const dot = toDot(p)
      .split('\n')
      .filter((l) => l.includes('->'))
      .map((l) => l.trim().replace(/ \[.*$/, '').replace(/;$/, ''));
    expect(new Set(dot).size).toBe(dot.length);
    const svgEdges = [...svg.matchAll(/<g class="edge [^"]*" data-from="([^"]*)" data-to="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(svgEdges).toEqual(pairs);
  });

  it('is self-contained and deterministic', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The only URL is the SVG namespace; no href, no @import, no url() but the local marker.
    expect(svg.match(/https?:\/\//g)).toEqual(['http://']);
    expect(svg).not.toMatch(/href=|@import/);
    expect([...svg.matchAll(/url\(([^)]*)\)/g)].every((m) => m[1] === '#kfpdsl-arrow')).toBe(true);
    expect(renderSvg(buildGraph(get().p, lineOfSource(source)))).toBe(svg);
    const html = toHtmlPage(g, source.path);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).not.toMatch(/<script[^>]+src=|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});

describe('graph pictures: contents', () => {
  it('labels data edges with what flows, groups with their conditions and loops as written', () => {
    const { p, source } = cases.at(-1)![1]();
    const g = buildGraph(p, lineOfSource(source));
    const svg = renderSvg(g);
    expect(svg).toContain('>for row in [{a: 1, b: &quot;x&quot;}, {a: 2, b: &quot;y&quot;}] parallelism 2</text>');
    expect(svg).toContain('>if n &gt; 1 and row.b == &quot;x&quot;</text>');
    expect(svg).toContain('>for v in [1, 2]</text>');
    expect(svg).toContain('>finally</text>');
    // n feeds the condition (its operand) and s inside it: one arrow into the group, labelled with both.
    const intoCond = g.edges.filter((e) => e.from === 't_n' && e.toGroup);
    expect(intoCond.map((e) => e.labels)).toEqual([['n', 'x']]);
  });

  it('hover details: component, inputs, settings, source line', () => {
    const { p, source } = cases.at(-1)![1]();
    const g = buildGraph(p, lineOfSource(source));
    const s = nodesOf(g.items).map((id) => findNode(g.items, id)!).find((n) => n.task === 's')!;
    expect(s.details).toEqual([
      ['component', 'show'],
      ['input x', 'n'],
      ['input s', 'row.b'],
      ['requests', 'cpu 500m'],
      ['limits', 'cpu 500m'], // `cpu: "500m"` is both
      ['retry', '2'],
      ['source', 'nested.kfp:19'],
    ]);
    expect(toHtmlPage(g, 'nested.kfp')).toContain('"nested.kfp:19"');
  });
});

function findNode(items: readonly GraphItem[], id: string): Extract<GraphItem, { kind: 'node' }> | undefined {
  for (const it of items) {
    if (it.kind === 'node' && it.id === id) return it;
    if (it.kind === 'group') {
      const f = findNode(it.children, id);
      if (f) return f;
    }
  }
  return undefined;
}

describe('kfpdsl graph --format svg|html (the CLI)', () => {
  it('writes the SVG and the HTML page on stdout', () => {
    const svg = runCli(['graph', 'examples/parallel.kfp', '--format', 'svg']);
    expect(svg.status).toBe(0);
    expect(svg.stderr).toBe('');
    expect(svg.stdout).toMatch(/^<svg /);
    expect(svg.stdout).toContain('data-task="doubled"');
    const html = runCli(['graph', 'examples/parallel.kfp', '--format', 'html']);
    expect(html.status).toBe(0);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">/);
    expect(html.stdout).toContain('"source","examples/parallel.kfp:38"'); // doubled = print_op(item)
  });

  it('an unknown format is a usage error', () => {
    const r = runCli(['graph', 'examples/add.kfp', '--format', 'png']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('svg');
  });
});
