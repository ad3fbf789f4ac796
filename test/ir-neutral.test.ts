/**
 * The IR is target-neutral: it keeps the program's structure (an `if` with its `elif`/`else`
 * arms as written, loops by their variable, tasks by their binding or component name) and
 * holds no name a backend makes (`condition-N`, `for-loop-N`, sanitised task names). The KFP v1
 * backend makes those itself (src/lower/shape.ts), exactly as kfp would.
 */
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import type { IrBranch, IrLoop, IrPipeline, IrTask } from '../src/ir/ir.js';
import { shapePipeline } from '../src/lower/shape.js';
import { SourceFile } from '../src/source.js';

const SOURCE = `component pick() -> int {
  \`\`\`python
  return 4
  \`\`\`
}

component say_it(text: str) {
  \`\`\`python
  print(text)
  \`\`\`
}

pipeline "Neutral IR" () {
  n = pick()
  if n < 3 {
    say_it("small")
  } elif n < 10 {
    for word in ["a", "b"] parallelism 1 {
      say_it(word)
    }
  } else {
    My_Step = say_it("large")
  }
  say_it("done") after n
}
`;

function pipeline(): IrPipeline {
  const r = compileSource(new SourceFile('neutral.kfp', SOURCE), { checkOnly: true });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.program!.pipelines[0]!;
}

describe('the IR keeps the program as written', () => {
  it('one branch node with its arms; conditions are not negated or combined', () => {
    const p = pipeline();
    const branch = p.body[1] as IrBranch;
    expect(branch.kind).toBe('branch');
    expect(branch.arms.map((a) => a.when)).toEqual([
      { compare: '<', left: { output: { task: 'n', name: 'Output' } }, right: { const: 3 }, numeric: true },
      { compare: '<', left: { output: { task: 'n', name: 'Output' } }, right: { const: 10 }, numeric: true },
    ]);
    expect(branch.else!.body.map((t) => (t as IrTask).id)).toEqual(['My_Step']);
    const loop = branch.arms[1]!.body[0] as IrLoop;
    expect([loop.kind, loop.id, loop.variable, loop.parallelism]).toEqual(['loop', 'word', 'word', 1]);
    expect((loop.body[0] as IrTask).args).toEqual({ text: { item: { loop: 'word' } } });
  });

  it('tasks are known by binding or component name, unique, never sanitised', () => {
    const p = pipeline();
    const ids: string[] = [];
    const walk = (nodes: IrPipeline['body']): void => {
      for (const n of nodes) {
        if (n.kind === 'branch') {
          for (const a of n.arms) walk(a.body);
          if (n.else) walk(n.else.body);
        } else if (n.kind === 'loop') walk(n.body);
        else ids.push(n.id);
      }
    };
    walk(p.body);
    expect(ids).toEqual(['n', 'say_it', 'say_it-2', 'My_Step', 'say_it-3']);
    expect((p.body[2] as IrTask).after).toEqual(['n']);
  });

  it('holds no backend name', () => {
    const text = JSON.stringify(pipeline());
    expect(text).not.toMatch(/condition-\d|for-loop-\d|say-it|my-step/);
    expect(Object.keys(pipeline())).not.toContain('name');
  });

  it('the KFP v1 backend names and flattens it as kfp v1 does', () => {
    const shaped = shapePipeline(pipeline());
    expect(shaped.name).toBe('neutral-ir');
    const conditions = shaped.body.filter((n) => n.kind === 'condition');
    expect(conditions.map((c) => c.name)).toEqual(['condition-1', 'condition-2', 'condition-4']);
    // elif: not the earlier condition, and its own; else: none of them.
    const earlier = { compare: '<', left: { output: { task: 'n', name: 'Output' } }, right: { const: 3 }, numeric: true };
    const own = { compare: '<', left: { output: { task: 'n', name: 'Output' } }, right: { const: 10 }, numeric: true };
    expect(conditions[1]!.when).toEqual({ and: [{ not: earlier }, own] });
    expect(conditions[2]!.when).toEqual({ and: [{ not: earlier }, { not: own }] });
    const loop = conditions[1]!.kind === 'condition' ? conditions[1]!.body[0]! : undefined;
    expect(loop && loop.kind === 'loop' ? [loop.name, loop.body.map((t) => ('name' in t ? t.name : ''))] : []).toEqual(['for-loop-3', ['say-it-2']]);
    const names = shaped.body.filter((n) => n.kind === 'task').map((t) => t.name);
    expect(names).toEqual(['n', 'say-it-3']);
  });
});
