/**
 * Error fixtures: test/fixtures/errors/<CODE>-<slug>.kfp, annotated rustc-style. A comment
 * line `#   ^^^ KFP2001` pins a diagnostic to the previous non-annotation line, at the
 * carets' column and width. The set of reported {code, line, column, width} must equal
 * the annotations exactly; the rendered text is pinned in <name>.diagnostics.txt.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendNamed } from '../src/backends/index.js';
import { compileSource } from '../src/compile.js';
import { renderAll } from '../src/diagnostics/render.js';
import { SourceFile } from '../src/source.js';

const dir = new URL('./fixtures/errors/', import.meta.url).pathname;
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.kfp')).sort();
const ANNOTATION = /^\s*#(\s*)(\^+)\s+(KFP\d{4})\s*$/;

/**
 * A fixture that imports modules keeps them in a directory of its own name
 * (`KFP2011-import-cycle/a.kfp`, or a component.yaml); annotations there pin diagnostics in those files, keyed by path.
 */
function moduleAnnotations(name: string): string[] {
  const sub = join(dir, name.replace(/\.kfp$/, ''));
  if (!existsSync(sub)) return [];
  return readdirSync(sub)
    // A component.yaml's comments are `#` too: a graph component's errors are pinned in its lines.
    .filter((f) => f.endsWith('.kfp') || f.endsWith('.component.yaml'))
    .flatMap((f) => expectedAnnotations(readFileSync(join(sub, f), 'utf8'), `test/fixtures/errors/${name.replace(/\.kfp$/, '')}/${f}`));
}

function expectedAnnotations(text: string, path?: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let target = 0;
  lines.forEach((line, i) => {
    const m = ANNOTATION.exec(line);
    if (!m) {
      target = i + 1;
      return;
    }
    const column = line.indexOf('^') + 1;
    out.push(`${m[3]} ${path ? `${path}:` : ''}${target}:${column} width ${m[2]!.length}`);
  });
  return out.sort();
}

describe('error fixtures', () => {
  it.each(fixtures)('%s', async (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const file = new SourceFile(`test/fixtures/errors/${name}`, text);
    // A fixture for another target says so on its first line: `# --target kfp-v2`.
    const target = /^# --target (\S+)/.exec(text)?.[1];
    const result = compileSource(file, target ? { backend: backendNamed(target)! } : {});
    if (result.diagnostics.some((d) => d.severity === 'error')) expect(result.files).toEqual([]);
    const actual = result.diagnostics
      .map((d) => {
        const start = d.file!.positionAt(d.span!.start);
        const end = d.file!.positionAt(d.span!.end);
        const width = end.line === start.line ? Math.max(1, end.column - start.column) : 1;
        return `${d.code} ${d.file!.path === file.path ? '' : `${d.file!.path}:`}${start.line}:${start.column} width ${width}`;
      })
      .sort();
    expect(actual).toEqual([...expectedAnnotations(text), ...moduleAnnotations(name)].sort());
    expect(name.startsWith(result.diagnostics[0]!.code)).toBe(true);
    await expect(renderAll(result.diagnostics, 'pretty')).toMatchFileSnapshot(join(dir, name.replace(/\.kfp$/, '.diagnostics.txt')));
  });
});
