/**
 * The formatter and the module syntax: `import "x.kfp"` without a name, `import "x.kfp" as lib`
 * and qualified calls `lib.train(...)` (as tasks and inside arguments) format to canonical form,
 * round-trip to the same syntax tree (the qualifier included), and are idempotent.
 */
import { describe, expect, it } from 'vitest';
import { formatSource } from '../src/fmt/format.js';
import { SourceFile } from '../src/source.js';
import { parseSource } from '../src/syntax/parse.js';

const POSITION_KEYS = new Set(['span', 'nameSpan', 'pathSpan', 'keySpan', 'opSpan', 'elseSpan', 'file']);

function shape(text: string): unknown {
  const doc = parseSource(new SourceFile('m.kfp', text)).document;
  return doc && JSON.parse(JSON.stringify(doc, (key, value: unknown) => (POSITION_KEYS.has(key) ? undefined : value)));
}

function fmt(text: string): string {
  const r = formatSource(new SourceFile('m.kfp', text));
  expect(r.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return r.text!;
}

const MESSY = [
  'import   "lib/common.kfp"',
  'import "lib/train.kfp"   as   train   # the trainers',
  '',
  '',
  'pipeline "p" (x: int = 1) {',
  '      s = add( x , 2 )',
  '  t=train.fit(s)',
  '  train.report( train.score(t ) )',
  '}',
  '',
].join('\n');

const CANONICAL = [
  'import "lib/common.kfp"',
  'import "lib/train.kfp" as train  # the trainers',
  '',
  'pipeline "p" (x: int = 1) {',
  '  s = add(x, 2)',
  '  t = train.fit(s)',
  '  train.report(train.score(t))',
  '}',
  '',
].join('\n');

describe('fmt: module imports and qualified calls', () => {
  it('formats to canonical form', () => {
    expect(fmt(MESSY)).toBe(CANONICAL);
  });

  it('keeps the syntax tree, qualifiers included', () => {
    const tree = shape(MESSY) as { imports: { name?: { name: string } }[]; pipelines: { body: { callee: { name: string }; qualifier?: { name: string } }[] }[] };
    expect(tree.imports.map((i) => i.name?.name)).toEqual([undefined, 'train']);
    expect(tree.pipelines[0]!.body.map((s) => [s.callee.name, s.qualifier?.name])).toEqual([['add', undefined], ['train.fit', 'train'], ['train.report', 'train']]);
    expect(shape(fmt(MESSY))).toEqual(tree);
  });

  it('is idempotent', () => {
    expect(fmt(CANONICAL)).toBe(CANONICAL);
  });
});
