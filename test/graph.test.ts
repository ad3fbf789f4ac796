/**
 * The pipeline DAG as Mermaid and DOT (src/graph/graph.ts): exact output for the add example,
 * the key structure (groups, nesting, labels, edges) for the others and for a synthetic
 * pipeline with nested groups and awkward strings; every Mermaid text is parse-checked
 * (balanced subgraph/end, every edge endpoint declared) and every DOT text goes through
 * Graphviz when `dot` is installed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { condText, toDot, toMermaid } from '../src/graph/graph.js';
import type { IrCondExpr, IrPipeline, IrTask } from '../src/ir/ir.js';
import { SourceFile } from '../src/source.js';
import { repoRoot } from './support/cli.js';
import { requirement } from './support/requirements.js';

function pipelineOf(path: string, text: string): IrPipeline {
  const result = compileSource(new SourceFile(path, text), { checkOnly: true });
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  expect(errors).toEqual([]);
  const p = result.program?.pipelines[0];
  if (!p) throw new Error(`${path}: no pipeline`);
  return p;
}

function example(name: string): IrPipeline {
  const rel = `examples/${name}.kfp`;
  return pipelineOf(rel, readFileSync(join(repoRoot, rel), 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// A minimal Mermaid flowchart reader: enough to check structure and catch broken output.

interface MermaidGraph {
  /** Node and subgraph id → the chain of enclosing subgraph ids, outermost first. */
  parents: Map<string, string[]>;
  nodeLabels: Map<string, string>;
  groupLabels: Map<string, string>;
  edges: { from: string; to: string; dashed: boolean }[];
}

function readMermaid(text: string): MermaidGraph {
  const lines = text.split('\n');
  expect(lines[0]).toBe('flowchart TD');
  expect(lines.at(-1)).toBe(''); // ends with a newline
  const g: MermaidGraph = { parents: new Map(), nodeLabels: new Map(), groupLabels: new Map(), edges: [] };
  const stack: string[] = [];
  const id = '[A-Za-z_][A-Za-z0-9_]*';
  const declare = (name: string): void => {
    expect(g.parents.has(name), `${name} declared twice`).toBe(false);
    g.parents.set(name, [...stack]);
  };
  for (const raw of lines.slice(1, -1)) {
    const line = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = line.match(new RegExp(`^subgraph (${id}) \\["([^"]*)"\\]$`)))) {
      declare(m[1]!);
      g.groupLabels.set(m[1]!, m[2]!);
      stack.push(m[1]!);
    } else if (line === 'end') {
      expect(stack.length, 'an `end` without its subgraph').toBeGreaterThan(0);
      stack.pop();
    } else if ((m = line.match(new RegExp(`^(${id})(?:\\["([^"]*)"\\]|\\[\\("([^"]*)"\\)\\]|\\[\\["([^"]*)"\\]\\])$`)))) {
      declare(m[1]!);
      g.nodeLabels.set(m[1]!, m[2] ?? (m[3] !== undefined ? `(${m[3]})` : `[${m[4]!}]`));
    } else if ((m = line.match(new RegExp(`^(${id}) (-->|-\\.->) (${id})$`)))) {
      g.edges.push({ from: m[1]!, to: m[3]!, dashed: m[2] === '-.->' });
    } else {
      throw new Error(`unexpected Mermaid line: ${raw}`);
    }
  }
  expect(stack, 'every subgraph is closed').toEqual([]);
  for (const e of g.edges) {
    expect(g.parents.has(e.from), `edge source ${e.from} declared`).toBe(true);
    expect(g.parents.has(e.to), `edge target ${e.to} declared`).toBe(true);
  }
  // Labels are quoted and escaped: nothing Mermaid or HTML would read inside them.
  for (const l of [...g.nodeLabels.values(), ...g.groupLabels.values()]) expect(l.replace(/<br\/>/g, '')).not.toMatch(/[<>"]/);
  return g;
}

function edgeList(g: MermaidGraph): string[] {
  return g.edges.map((e) => `${e.from} ${e.dashed ? '-.->' : '-->'} ${e.to}`);
}

const dotTool = requirement(spawnSync('dot', ['-V'], { stdio: 'ignore' }).status === 0, 'Graphviz `dot` is not on PATH (apt-get install graphviz)');

function runDot(text: string): string {
  const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------

const NESTED = `
component gen() -> int {
  \`\`\`python
  return 1
  \`\`\`
}

component pair() -> (a: int, b: str) {
  \`\`\`python
  return 1, "x"
  \`\`\`
}

component show(x: int, s: str) -> int {
  \`\`\`python
  print(x, s)
  return x
  \`\`\`
}

component many(values: list) {
  \`\`\`python
  print(values)
  \`\`\`
}

pipeline "nested \\"quoted\\" \\\\ pipeline" (flag: bool = true, label: str = "a#b") {
  data = volume("scratch", size: "1Gi")
  n = gen() { mount: { "/data": data } }
  p = pair()
  for row in [{a: 1, b: "x\\"y"}, {a: 2, b: "<z>"}] parallelism 2 {
    if n > 1 and (row.b == "q\\"uote & <tag>" or not flag) {
      s = show(n, row.b)
      for v in [0.5, 2.5] {
        r = show(p.a, label) after s { mount: { "/old": pvc("old-claim") } }
      }
      many(r)
    }
  }
  if p.b != "none" {
    show(p.a, "done") after n
  }
  finally {
    show(0, "bye")
  }
}
`;

describe('graph: add example (exact)', () => {
  const p = example('add');

  it('Mermaid', () => {
    expect(toMermaid(p)).toBe(
      [
        'flowchart TD',
        '  t_sum["sum<br/>add"]',
        '  t_diff["diff<br/>subtract"]',
        '  t_multiply["multiply<br/>multiply"]',
        '  t_sum --> t_multiply',
        '  t_diff --> t_multiply',
        '',
      ].join('\n'),
    );
    readMermaid(toMermaid(p));
  });

  it('DOT', () => {
    expect(toDot(p)).toBe(
      [
        'digraph "add example" {',
        '  compound=true;',
        '  node [shape=box, style=rounded];',
        '  t_sum [label="sum\\nadd"];',
        '  t_diff [label="diff\\nsubtract"];',
        '  t_multiply [label="multiply\\nmultiply"];',
        '  t_sum -> t_multiply;',
        '  t_diff -> t_multiply;',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('graph: pipelines that call pipelines', () => {
  it('Mermaid: a call is a subroutine node named after the pipeline, with the edges of its arguments', () => {
    const rel = 'examples/subpipelines.kfp';
    const result = compileSource(new SourceFile(rel, readFileSync(join(repoRoot, rel), 'utf8')), { checkOnly: true });
    const main = result.program!.pipelines.find((p) => p.displayName === 'subpipelines')!;
    const g = readMermaid(toMermaid(main));
    expect(g.nodeLabels.get('p_t')).toBe('[t<br/>pipeline train]');
    expect(g.parents.get('p_t')).toEqual(['g_for_loop_1']);
    expect(g.nodeLabels.get('p_quick')).toBe('[quick<br/>pipeline train]');
    expect(g.parents.get('p_longer')).toEqual(['g_condition_2']);
    expect(edgeList(g)).toEqual(['t_points --> p_t', 'p_t --> t_report', 't_points --> p_quick', 'p_quick --> t_report_2', 'p_quick --> g_condition_2', 't_points --> p_longer', 't_double --> p_longer', 'p_longer --> t_report_3']);
    expect(toDot(main)).toContain('p_t [label="t\\npipeline train", peripheries=2];');
  });
});

describe('graph: conditional example', () => {
  const p = example('conditional');

  it('Mermaid: if and else are subgraphs labelled with their conditions', () => {
    const g = readMermaid(toMermaid(p));
    expect(g.groupLabels).toEqual(
      new Map([
        ['g_condition_1', 'number #lt; 30'],
        ['g_condition_2', 'not (number #lt; 30)'],
      ]),
    );
    expect(g.nodeLabels.get('t_number')).toBe('number<br/>generate_random');
    expect(g.parents.get('t_small_num')).toEqual(['g_condition_1']);
    expect(g.parents.get('t_large_num')).toEqual(['g_condition_2']);
    expect(g.parents.get('t_number')).toEqual([]);
    // One arrow per group: the condition's operand reaches the task inside through the group's arrow.
    expect(edgeList(g)).toEqual(['t_number --> g_condition_1', 't_number --> g_condition_2']);
  });

  it('DOT: clusters, and edges into a group clipped at its border', () => {
    const dot = toDot(p);
    expect(dot).toContain('  subgraph cluster_g_condition_1 {\n    label="number < 30";\n    t_small_num [label="small-num\\nsmall_num"];\n  }\n');
    expect(dot).toContain('label="not (number < 30)";');
    expect(dot).toContain('  t_number -> t_small_num [lhead=cluster_g_condition_1];\n');
    expect(dot).toContain('  t_number -> t_large_num [lhead=cluster_g_condition_2];\n');
  });
});

describe('graph: parallel example', () => {
  const p = example('parallel');

  it('Mermaid: loops are subgraphs; items and fan-in are edges', () => {
    const g = readMermaid(toMermaid(p));
    expect(g.groupLabels.get('g_for_loop_1')).toBe('for item in numbers parallelism 4');
    expect(g.groupLabels.get('g_for_loop_2')).toBe('for row in [{a: 1, b: 2}, {a: 10, b: 20}]');
    expect(g.parents.get('t_doubled')).toEqual(['g_for_loop_1']);
    expect(g.parents.get('t_add')).toEqual(['g_for_loop_2']);
    expect(g.parents.get('t_total')).toEqual([]);
    expect(edgeList(g)).toEqual(['t_numbers --> g_for_loop_1', 't_doubled --> t_total']);
    // Source order: the fan-in task sits between the two loops.
    const text = toMermaid(p);
    expect(text.indexOf('subgraph g_for_loop_1')).toBeLessThan(text.indexOf('t_total['));
    expect(text.indexOf('t_total[')).toBeLessThan(text.indexOf('subgraph g_for_loop_2'));
  });

  it('DOT', () => {
    const dot = toDot(p);
    expect(dot).toContain('label="for item in numbers parallelism 4";');
    expect(dot).toContain('  t_numbers -> t_doubled [lhead=cluster_g_for_loop_1];\n');
    expect(dot).toContain('  t_doubled -> t_total;\n');
  });
});

describe('graph: resources example', () => {
  const p = example('resources');

  it('Mermaid: the volume is a cylinder with dashed edges to the tasks that mount it', () => {
    const text = toMermaid(p);
    expect(text).toContain('  v_data[("data<br/>mypvc (1Gi)")]\n');
    const g = readMermaid(text);
    expect(edgeList(g)).toEqual(['v_data -.-> t_t', 't_t --> t_evaluate', 'v_data -.-> t_evaluate']);
  });

  it('DOT', () => {
    const dot = toDot(p);
    expect(dot).toContain('  v_data [label="data\\nmypvc (1Gi)", shape=cylinder, style=solid];\n');
    expect(dot).toContain('  v_data -> t_t [style=dashed];\n');
    expect(dot).toContain('  t_t -> t_evaluate;\n');
  });
});

describe('graph: reuse example', () => {
  const p = example('reuse');

  it('Mermaid: the finally block is a subgraph', () => {
    const g = readMermaid(toMermaid(p));
    expect(g.groupLabels).toEqual(new Map([['g_finally', 'finally']]));
    expect(g.parents.get('t_notify')).toEqual(['g_finally']);
    expect(g.nodeLabels.get('t_word_count')).toBe('word-count<br/>word_count');
    expect(edgeList(g)).toEqual(['t_e --> t_word_count']);
    expect(toMermaid(p).trimEnd().split('\n').at(-1)).toBe('  t_e --> t_word_count');
  });

  it('DOT', () => {
    expect(toDot(p)).toContain('  subgraph cluster_g_finally {\n    label="finally";\n    t_notify [label="notify\\nnotify"];\n  }\n');
  });
});

describe('graph: nested groups, ordering, claims and escaping', () => {
  const p = pipelineOf('nested.kfp', NESTED);

  it('Mermaid: groups nest as in the source', () => {
    const g = readMermaid(toMermaid(p));
    expect(g.parents.get('g_for_loop_1')).toEqual([]);
    expect(g.parents.get('g_condition_2')).toEqual(['g_for_loop_1']);
    expect(g.parents.get('t_s')).toEqual(['g_for_loop_1', 'g_condition_2']);
    expect(g.parents.get('g_for_loop_3')).toEqual(['g_for_loop_1', 'g_condition_2']);
    expect(g.parents.get('t_r')).toEqual(['g_for_loop_1', 'g_condition_2', 'g_for_loop_3']);
    expect(g.parents.get('t_many')).toEqual(['g_for_loop_1', 'g_condition_2']);
    expect(g.parents.get('t_show_2')).toEqual(['g_finally']);
  });

  it('Mermaid: labels are written back as text and escaped', () => {
    const g = readMermaid(toMermaid(p));
    expect(g.groupLabels.get('g_for_loop_1')).toBe('for row in [{a: 1, b: #quot;x\\#quot;y#quot;}, {a: 2, b: #quot;#lt;z#gt;#quot;}] parallelism 2');
    expect(g.groupLabels.get('g_condition_2')).toBe('n #gt; 1 and (row.b == #quot;q\\#quot;uote #amp; #lt;tag#gt;#quot; or not flag)');
    expect(g.groupLabels.get('g_for_loop_3')).toBe('for v in [0.5, 2.5]');
    expect(g.groupLabels.get('g_condition_4')).toBe('p.b != #quot;none#quot;');
    expect(g.nodeLabels.get('c_old_claim')).toBe('(old-claim<br/>existing claim)');
    // An existing claim is not created by the run: it is outside every group, first.
    expect(g.parents.get('c_old_claim')).toEqual([]);
    expect(toMermaid(p).split('\n')[1]).toBe('  c_old_claim[("old-claim<br/>existing claim")]');
  });

  it('Mermaid: data, group, fan-in, after and mount edges', () => {
    const g = readMermaid(toMermaid(p));
    const edges = edgeList(g);
    expect(edges).toEqual(
      expect.arrayContaining([
        't_n --> g_condition_2', // the condition's operand, which t_s inside it takes too
        'v_data -.-> t_n',
        't_p --> t_r',
        't_s -.-> t_r', // after
        'c_old_claim -.-> t_r',
        't_r --> t_many', // fan-in over the inner loop
        't_p --> g_condition_4',
        't_n -.-> t_show',
      ]),
    );
    expect(new Set(edges).size).toBe(edges.length);
    expect(edges).not.toContain('t_n --> t_s'); // inside g_condition_2, which t_n's arrow already reaches
  });

  it('DOT: the pipeline name and labels are escaped', () => {
    const dot = toDot(p);
    expect(dot.split('\n')[0]).toBe('digraph "nested \\"quoted\\" \\\\ pipeline" {');
    expect(dot).toContain('label="n > 1 and (row.b == \\"q\\\\\\"uote & <tag>\\" or not flag)";');
    expect(dot).toContain('  c_old_claim [label="old-claim\\nexisting claim", shape=cylinder, style=solid];');
    expect(dot).toContain('  t_p -> t_show [lhead=cluster_g_condition_4];');
  });

  it('is deterministic', () => {
    expect(toMermaid(pipelineOf('nested.kfp', NESTED))).toBe(toMermaid(p));
    expect(toDot(pipelineOf('nested.kfp', NESTED))).toBe(toDot(p));
  });
});

describe('graph: hand-built IR', () => {
  // Bindings that sanitise to one Kubernetes name (`a-b`, `a-b-2`); groups numbered in source order.
  const task = (id: string, at: number, args: IrTask['args'] = {}): IrTask => ({ kind: 'task', id, binding: id, component: 'c', args, after: [], settings: {}, origin: { start: at, end: at + 1 } });
  const p: IrPipeline = {
    displayName: 'edge cases',
    nameOrigin: { start: 0, end: 0 },
    params: [{ name: 'flag', type: 'bool' }],
    body: [
      task('a-b', 1),
      task('a_b', 2, { x: { output: { task: 'a-b', name: 'Output' } } }),
      { kind: 'branch', arms: [{ when: { truthy: { output: { task: 'a_b', name: 'ok' } } }, body: [], origin: { start: 3, end: 4 } }] },
      { kind: 'loop', id: 'x', variable: 'x', items: { param: 'flag' }, fields: [], body: [], origin: { start: 5, end: 6 } },
    ],
    settings: {},
    origin: { start: 0, end: 0 },
  };

  it('ids stay unique after sanitising; empty groups are drawn', () => {
    const text = toMermaid(p);
    const g = readMermaid(text);
    expect([...g.nodeLabels.keys()]).toEqual(['t_a_b', 't_a_b_2']);
    expect(g.groupLabels).toEqual(
      new Map([
        ['g_condition_1', 'a-b-2.ok'], // values name tasks as kfp v1 runs them
        ['g_for_loop_2', 'for x in flag'],
      ]),
    );
    expect(edgeList(g)).toEqual(['t_a_b --> t_a_b_2', 't_a_b_2 --> g_condition_1']);
  });

  it('DOT: an edge into an empty cluster ends at an invisible anchor inside it', () => {
    const dot = toDot(p);
    expect(dot).toContain('    g_condition_1_anchor [shape=point, style=invis];\n');
    expect(dot).toContain('  t_a_b_2 -> g_condition_1_anchor [lhead=cluster_g_condition_1];\n');
  });

  it.skipIf(dotTool.missing)(dotTool.title('DOT: Graphviz accepts it'), () => {
    expect(runDot(toDot(p))).toContain('<svg');
  });
});

describe('graph: conditions as text', () => {
  const num = (task: string): { output: { task: string; name: string } } => ({ output: { task, name: 'Output' } });
  const cases: [IrCondExpr, string][] = [
    [{ compare: '<', left: num('number'), right: { const: 30 }, numeric: true }, 'number < 30'],
    [{ not: { compare: '<', left: num('number'), right: { const: 30 }, numeric: true } }, 'not (number < 30)'],
    [
      {
        and: [
          { compare: '==', left: { param: 'a' }, right: { const: 'x' }, numeric: false },
          { compare: '>', left: { param: 'b' }, right: { const: 1 }, numeric: true },
        ],
      },
      'a == "x" and b > 1',
    ],
    [{ or: [{ truthy: { param: 'f' } }, { and: [{ truthy: { param: 'g' } }, { not: { truthy: { param: 'h' } } }] }] }, 'f or g and not h'],
    [{ and: [{ or: [{ truthy: { param: 'f' } }, { truthy: { param: 'g' } }] }, { truthy: { item: { loop: 'l' } } }] }, '(f or g) and item'],
    [{ compare: '==', left: { output: { task: 't', name: 'model' } }, right: { const: 1, isFloat: true }, numeric: true }, 't.model == 1.0'],
    [{ compare: '!=', left: { collect: { task: 'd', name: 'Output' } }, right: { const: null }, numeric: false }, '[d …] != null'],
    [{ compare: '!=', left: { collect: { task: 'd', name: 'out' } }, right: { const: [true, { 'a b': 1 }] }, numeric: false }, '[d.out …] != [true, {"a b": 1}]'],
    [{ compare: '==', left: { item: { loop: 'l', field: 'k' } }, right: { const: 'a"b' }, numeric: false }, 'item.k == "a\\"b"'],
  ];
  it.each(cases.map(([c, text]): [string, IrCondExpr] => [text, c]))('%s', (text, c) => {
    expect(condText(c)).toBe(text);
  });
});

describe('graph: Graphviz accepts the DOT output', () => {
  const cases: [string, () => IrPipeline][] = [
    ...['add', 'conditional', 'parallel', 'resources', 'reuse', 'data_passing_file', 'export_metrics'].map((n): [string, () => IrPipeline] => [n, () => example(n)]),
    ['nested', () => pipelineOf('nested.kfp', NESTED)],
  ];
  it.skipIf(dotTool.missing).each(cases)(dotTool.title('%s'), (_name, load) => {
    const svg = runDot(toDot(load()));
    expect(svg).toContain('<svg');
  });

  it.each(cases)('%s: the Mermaid output reads back', (_name, load) => {
    readMermaid(toMermaid(load()));
  });
});
