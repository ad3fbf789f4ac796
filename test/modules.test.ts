/**
 * .kfp modules, compiled through an in-memory host (the real parser, checker and lowering;
 * only the files live in memory): what an import brings into scope, qualified calls, cycles
 * and clashes as located errors with related locations in the other files, errors inside a
 * module reported once at the module's own lines, paths relative to the importing file and
 * confined to the project root, and a module's component compiling exactly as if inline.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource, type CompileResult } from '../src/compile.js';
import { renderAll } from '../src/diagnostics/render.js';
import { fsHost } from '../src/project/file-host.js';
import { MemoryHost } from '../src/project/memory-host.js';
import { SourceFile } from '../src/source.js';

const ADD = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n';
const SHOW = 'component show(x: int) {\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\n';

/** Compiles `/proj/<main>` from `files` (paths under /proj, which holds a kfpdsl.yaml and is the project root). */
function compile(files: Record<string, string>, main = 'main.kfp', host?: MemoryHost): CompileResult {
  const h = host ?? new MemoryHost({ '/proj/kfpdsl.yaml': '', ...Object.fromEntries(Object.entries(files).map(([p, t]) => [`/proj/${p}`, t])) });
  return compileSource(new SourceFile(`/proj/${main}`, files[main]!), { host: h });
}

const errors = (r: CompileResult) => r.diagnostics.filter((d) => d.severity === 'error');
const codes = (r: CompileResult) => errors(r).map((d) => d.code);
const where = (r: CompileResult) =>
  errors(r).map((d) => {
    const p = d.file!.positionAt(d.span!.start);
    return `${d.code} ${d.file!.path}:${p.line}:${p.column}`;
  });

describe('import "x.kfp"', () => {
  it('brings the module\'s components into scope, and compiles only the ones called', () => {
    const r = compile({
      'lib/common.kfp': ADD + SHOW,
      'main.kfp': 'import "lib/common.kfp"\n\npipeline "p" (x: int = 1) {\n  s = add(x, 2)\n}\n',
    });
    expect(errors(r)).toEqual([]);
    expect(r.files.map((f) => f.path).sort()).toEqual(['components/add.yaml', 'p.yaml']);
  });

  it('`as lib` gives `lib.add(...)`, in a task and inside an argument; the tasks are named as inline ones', () => {
    const r = compile({
      'lib/common.kfp': ADD + SHOW,
      'main.kfp': 'import "lib/common.kfp" as lib\n\npipeline "p" () {\n  s = lib.add(1, 2)\n  lib.show(lib.add(s, 1))\n}\n',
    });
    expect(errors(r)).toEqual([]);
    const tasks = r.program!.pipelines[0]!.body.map((t) => ('name' in t ? t.name : ''));
    expect(tasks).toEqual(['s', 'add', 'show']);
    expect(r.files.map((f) => f.path).sort()).toEqual(['components/add.yaml', 'components/show.yaml', 'p.yaml']);
  });

  it('the same module imported both ways is one component', () => {
    const r = compile({
      'lib.kfp': ADD,
      'main.kfp': 'import "lib.kfp"\nimport "lib.kfp" as lib\npipeline "p" () {\n  s = add(1, 2)\n  lib.add(s, 1)\n}\n',
    });
    expect(errors(r)).toEqual([]);
    expect(r.program!.components.map((c) => c.name)).toEqual(['add']);
  });

  it('`lib.add` beside a local `add` compiles as `lib_add`, both called', () => {
    const r = compile({
      'lib.kfp': ADD,
      'main.kfp': `import "lib.kfp" as lib\n${SHOW.replace(/show/g, 'add')}pipeline "p" () {\n  s = lib.add(1, 2)\n  add(s)\n}\n`,
    });
    expect(errors(r)).toEqual([]);
    expect(r.program!.components.map((c) => c.name)).toEqual(['add', 'lib_add']);
  });

  it('an unknown member of a module is an unknown component, with the module\'s names suggested', () => {
    const r = compile({ 'lib.kfp': ADD, 'main.kfp': 'import "lib.kfp" as lib\npipeline "p" () {\n  lib.ad(1, 2)\n}\n' });
    expect(where(r)).toEqual(['KFP2001 /proj/main.kfp:3:3']);
    expect(errors(r)[0]!.hint).toMatch(/lib\.add/);
  });

  it('a module\'s pipelines are not compiled by the importer (a file may be a library and a pipeline)', () => {
    const r = compile({
      'lib.kfp': `${ADD}pipeline "lib demo" () {\n  add(1, 2)\n}\n`,
      'main.kfp': 'import "lib.kfp"\npipeline "p" () {\n  add(3, 4)\n}\n',
    });
    expect(errors(r)).toEqual([]);
    expect(r.files.map((f) => f.path).sort()).toEqual(['components/add.yaml', 'p.yaml']);
  });

  it('a module exports its own components, not the ones it imports', () => {
    const r = compile({
      'a.kfp': ADD,
      'b.kfp': `import "a.kfp"\n${SHOW}`,
      'main.kfp': 'import "b.kfp"\npipeline "p" () {\n  show(1)\n  add(1, 2)\n}\n',
    });
    expect(where(r)).toEqual(['KFP2001 /proj/main.kfp:4:3']);
  });

  it('paths are relative to the importing file, in modules too', () => {
    const r = compile({
      'lib/a.kfp': 'import "sub/b.kfp"\n' + ADD,
      'lib/sub/b.kfp': SHOW,
      'app/main.kfp': 'import "../lib/a.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n',
    }, 'app/main.kfp');
    expect(errors(r)).toEqual([]);
  });

  it('a module may not be outside the project root', () => {
    const host = new MemoryHost({ '/proj/kfpdsl.yaml': '', '/other/lib.kfp': ADD });
    const r = compile({ 'main.kfp': 'import "../other/lib.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n' }, 'main.kfp', host);
    expect(where(r)).toEqual(['KFP4005 /proj/main.kfp:1:8']);
  });

  it('a missing module is one error at the import, without a cascade of unknown components', () => {
    const r = compile({ 'main.kfp': 'import "nope.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n' });
    expect(where(r)).toEqual(['KFP4007 /proj/main.kfp:1:8']);
  });

  it('unsaved buffers win over the disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-modules-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    writeFileSync(join(dir, 'lib.kfp'), ADD);
    const main = 'import "lib.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n';
    writeFileSync(join(dir, 'main.kfp'), main);
    const file = new SourceFile(join(dir, 'main.kfp'), main);
    expect(errors(compileSource(file))).toEqual([]);
    const host = new MemoryHost({ [join(dir, 'lib.kfp')]: ADD.replace('add(', 'plus(') }, { base: fsHost });
    expect(codes(compileSource(file, { host }))).toEqual(['KFP2001']);
    host.delete(join(dir, 'lib.kfp'));
    expect(errors(compileSource(file, { host }))).toEqual([]);
  });
});

describe('errors across files', () => {
  it('an import cycle is reported at the import that closes it, with the other imports related', async () => {
    const r = compile({
      'a.kfp': 'import "b.kfp"\n' + ADD,
      'b.kfp': 'import "main.kfp"\n' + SHOW,
      'main.kfp': 'import "a.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n',
    });
    expect(where(r)).toEqual(['KFP2011 /proj/b.kfp:1:8']);
    const d = errors(r)[0]!;
    expect(d.message).toBe('import cycle: `/proj/main.kfp` → `/proj/a.kfp` → `/proj/b.kfp` → `/proj/main.kfp`');
    expect(d.related!.map((x) => `${x.file.path}:${x.file.positionAt(x.span.start).line}`)).toEqual(['/proj/main.kfp:1', '/proj/a.kfp:1']);
    expect(await renderAll(r.diagnostics, 'pretty')).toContain('/proj/a.kfp:1:8');
  });

  it('a module importing itself is a cycle', () => {
    const r = compile({ 'a.kfp': 'import "a.kfp"\n' + ADD, 'main.kfp': 'import "a.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n' });
    expect(where(r)).toEqual(['KFP2011 /proj/a.kfp:1:8']);
  });

  it('two unqualified modules exporting one name clash, at the second import, both definitions related', () => {
    const r = compile({
      'a.kfp': ADD,
      'b.kfp': '\n' + ADD,
      'main.kfp': 'import "a.kfp"\nimport "b.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n',
    });
    expect(where(r)).toEqual(['KFP2012 /proj/main.kfp:2:8']);
    expect(errors(r)[0]!.related!.map((x) => `${x.file.path}:${x.file.positionAt(x.span.start).line}`)).toEqual(['/proj/a.kfp:1', '/proj/b.kfp:2']);
  });

  it('imported qualified, the same names do not clash', () => {
    const r = compile({
      'a.kfp': ADD,
      'b.kfp': ADD,
      'main.kfp': 'import "a.kfp" as a\nimport "b.kfp" as b\npipeline "p" () {\n  s = a.add(1, 2)\n  b.add(s, 1)\n}\n',
    });
    expect(errors(r)).toEqual([]);
    expect(r.program!.components.map((c) => c.name)).toEqual(['add', 'b_add']);
  });

  it('a module\'s component clashing with a local one is located at the local one', () => {
    const r = compile({ 'a.kfp': ADD, 'main.kfp': `import "a.kfp"\n${ADD}pipeline "p" () {\n  add(1, 2)\n}\n` });
    expect(where(r)).toEqual(['KFP2012 /proj/main.kfp:2:11']);
    expect(errors(r)[0]!.related!.map((x) => x.file.path)).toEqual(['/proj/a.kfp', '/proj/main.kfp']);
  });

  it('a component.yaml import needs a name', () => {
    const r = compile({ 'c.yaml': 'name: c\nimplementation: {container: {image: alpine}}\n', 'main.kfp': 'import "c.yaml"\n' });
    expect(where(r)).toEqual(['KFP2013 /proj/main.kfp:1:8']);
  });

  it('an error inside a module is reported once, at the module\'s own line, however often it is imported', () => {
    const bad = 'component add(a: int, b: nope) -> int {\n  ```python\n  return a\n  ```\n}\n';
    const r = compile({
      'lib.kfp': bad,
      'mid.kfp': 'import "lib.kfp"\n' + SHOW,
      'main.kfp': 'import "lib.kfp"\nimport "mid.kfp"\nimport "lib.kfp" as lib\npipeline "p" () {\n  add(1, 2)\n}\n',
    });
    expect(where(r)).toEqual(['KFP2008 /proj/lib.kfp:1:26']);
    expect(r.files).toEqual([]);
  });

  it('a syntax error in a module is reported in the module and stops the importer', () => {
    const r = compile({ 'lib.kfp': 'component add(\n', 'main.kfp': 'import "lib.kfp"\npipeline "p" () {\n  add(1, 2)\n}\n' });
    expect(errors(r).length).toBeGreaterThan(0);
    expect(errors(r).every((d) => d.file!.path === '/proj/lib.kfp')).toBe(true);
    expect(r.files).toEqual([]);
  });
});

describe('limits measured on the lowered workflow', () => {
  it('a module component\'s over-long argument is located at the component in the module', () => {
    const line = '  x = "' + 'a'.repeat(90) + '"\n';
    const big = `\n\ncomponent big() {\n  \`\`\`python\n${line.repeat(1500)}  print(len(x))\n  \`\`\`\n}\n`;
    const r = compile({ 'lib.kfp': big, 'main.kfp': 'import "lib.kfp" as lib\npipeline "p" () {\n  lib.big()\n}\n' });
    const w = r.diagnostics.filter((d) => d.code === 'KFP5004');
    expect(w.map((d) => `${d.file!.path}:${d.file!.positionAt(d.span!.start).line}`)).toEqual(['/proj/lib.kfp:3']);
  });
});

describe('a module\'s component compiles exactly as if written inline', () => {
  // The same text holds the components and a pipeline; the importer declares that same pipeline.
  // Python components name their .kfp file and line in tracebacks, so inline and imported must be
  // the same file: lib.kfp compiled itself, against main.kfp compiling the pipeline with lib.kfp's components.
  const lib = `${ADD}\n${SHOW}\npipeline "p" (x: int = 1) {\n  s = add(x, 2)\n  show(add(s, 3))\n}\n`;
  const main = `import "lib.kfp"\n\npipeline "p" (x: int = 1) {\n  s = add(x, 2)\n  show(add(s, 3))\n}\n`;
  const inline = compile({ 'lib.kfp': lib }, 'lib.kfp');
  const imported = compile({ 'lib.kfp': lib, 'main.kfp': main });
  const qualified = compile({ 'lib.kfp': lib, 'main.kfp': main.replace('"lib.kfp"', '"lib.kfp" as lib').replace(/(add|show)\(/g, 'lib.$1(') });
  // The workflow's comments name the file that holds the pipeline (its header, each task's line),
  // which differs on purpose; components come out byte for byte, the workflow once comments are set aside.
  const uncommented = (r: typeof inline): { path: string; text: string }[] =>
    r.files.map((f) => ({ path: f.path, text: f.kind === 'workflow' ? f.text.replace(/^ *#.*\n/gm, '') : f.text }));

  it('the same files, byte for byte', () => {
    expect(errors(inline)).toEqual([]);
    expect(errors(imported)).toEqual([]);
    expect(inline.files.map((f) => f.path)).toEqual(['components/add.yaml', 'components/show.yaml', 'p.yaml']);
    expect(uncommented(imported)).toEqual(uncommented(inline));
    expect(imported.files.filter((f) => f.kind === 'component')).toEqual(inline.files.filter((f) => f.kind === 'component'));
  });

  it('the same files when imported `as lib` and called `lib.add(...)`', () => {
    expect(errors(qualified)).toEqual([]);
    expect(uncommented(qualified)).toEqual(uncommented(inline));
    expect(qualified.files.filter((f) => f.kind === 'component')).toEqual(inline.files.filter((f) => f.kind === 'component'));
  });
});
