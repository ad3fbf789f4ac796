/**
 * `kfpdsl graph` of a pipeline too large for a laid-out picture: dagre, the layout library,
 * overflowed its stack on a 2,000-task chain (an internal error) and took minutes on 1,000
 * loops. SVG and HTML pictures are refused past MAX_PICTURE_BOXES (KFP0017); DOT and Mermaid,
 * which leave the layout to their reader, draw any size.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_PICTURE_BOXES } from '../src/cli/graph.js';
import { runCli } from './support/cli.js';

const range = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('');

describe('kfpdsl graph of a large pipeline', () => {
  it('a chain of 2,000 tasks as SVG or HTML: KFP0017 (dagre overflowed its stack on it: an internal error); DOT and Mermaid still draw it', () => {
    const d = mkdtempSync(join(tmpdir(), 'kfpdsl-deep-graph-'));
    const path = join(d, 'chain.kfp');
    writeFileSync(path, 'component t() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n' + `pipeline "p" () {\n  t0 = t()\n${range(1_999, (i) => `  t${i + 1} = t() after t${i}\n`)}}\n`);
    for (const format of ['svg', 'html']) {
      const r = runCli(['graph', '--format', format, path]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`error[KFP0017]: pipeline "p" has 2,000 tasks and groups; a ${format} picture is laid out for at most ${MAX_PICTURE_BOXES}`);
      expect(r.stderr).not.toMatch(/internal|call stack/i);
      expect(r.stdout).toBe('');
    }
    const dot = runCli(['graph', '--format', 'dot', path]);
    expect(dot.status).toBe(0);
    expect(dot.stdout).toContain('t_t1998 -> t_t1999');
  });
});

