/**
 * Loading existing components: every kfp v1 component.yaml in the anchors loads, is
 * callable with type-checked arguments, and compiles to a workflow the strict Argo
 * validator accepts; wrong arguments are located errors; broken files are diagnosed at
 * their line in the component file.
 */
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { haveShared, shared, sharedDir, strictArgoErrors } from './support/argo-strict.js';

const componentsDir = join(sharedDir, 'anchors/kfp-v1/components');

function compileText(text: string, dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-'))) {
  const path = join(dir, 'p.kfp');
  writeFileSync(path, text);
  const file = new SourceFile(path, text);
  return { file, result: compileSource(file) };
}

/** A temp project holding a copy of the anchor component `name` (imports may not leave the project). */
function withAnchor(name: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-'));
  copyFileSync(join(componentsDir, name), join(dir, name));
  return { dir, path: name };
}

/** A literal of the .kfp type that the loader gave an input. */
const SAMPLE: Record<string, string> = { int: '1', float: '0.5', str: '"x"', bool: 'true', list: '[1, 2]', dict: '{a: 1}' };

describe.skipIf(shared.missing)(shared.title('the 13 kfp v1 components in the anchors'), () => {
  const files = haveShared ? readdirSync(componentsDir).filter((f) => f.endsWith('.yaml')).sort() : [];

  it('are all there', () => {
    expect(files).toHaveLength(13);
  });

  it.each(files)('%s loads, is callable and compiles', (name) => {
    // First load it to learn its inputs, then call it with one argument of the right type per required input.
    const { dir, path } = withAnchor(name);
    const probe = compileText(`import "${path}" as c\n`, dir);
    expect(probe.result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const comp = probe.result.program!.components[0]!;
    const producer = 'component make_file() -> (out: file) {\n  ```python\n  open(out, "w").write("1,2\\n")\n  ```\n}\n';
    const needsFile = comp.inputs.some((i) => !i.optional && i.type === 'file');
    const args = comp.inputs
      .filter((i) => !i.optional)
      .map((i) => `${i.argName ?? i.name}: ${i.type === 'file' ? 'f.out' : SAMPLE[i.type]}`)
      .join(', ');
    const text = `import "${path}" as c\n${producer}\npipeline "p" () {\n${needsFile ? '  f = make_file()\n' : ''}  c(${args})\n}\n`;
    const { result } = compileText(text, dir);
    if (comp.impl.kind === 'imported' && comp.impl.graphRefs) {
      // A graph component: its arguments are checked, but its children are named by URL, none of
      // which this file imports (kfpdsl works offline): each is reported at its componentRef.
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).toBe(comp.impl.graphRefs.length);
      for (const e of errors) {
        expect(e.code).toBe('KFP4056');
        expect(e.file!.path.endsWith(path)).toBe(true);
        expect(e.file!.text.slice(0, e.span!.start)).toMatch(/componentRef:\s*$/);
      }
      return;
    }
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const wf = YAML.parse(result.files.find((f) => f.kind === 'workflow')!.text);
    expect(strictArgoErrors(wf)).toEqual([]);
    // The component's own spec travels unchanged into the template annotation, with kfp's component_ref.
    const template = wf.spec.templates.find((t: { name: string }) => t.name === 'c');
    expect(JSON.parse(template.metadata.annotations['pipelines.kubeflow.org/component_ref']).digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('type-checks arguments: a str into an Integer input is a located error', () => {
    const { dir, path } = withAnchor('python_add.component.yaml');
    const probe = compileText(`import "${path}" as add\n`, dir);
    const inputs = probe.result.program!.components[0]!.inputs;
    const numeric = inputs.find((i) => i.type === 'int' || i.type === 'float');
    expect(numeric).toBeDefined();
    const { file, result } = compileText(`import "${path}" as add\npipeline "p" () {\n  add(${inputs.map((i) => `${i.argName ?? i.name}: ${i === numeric ? '"nope"' : SAMPLE[i.type]}`).join(', ')})\n}\n`, dir);
    const d = result.diagnostics.find((x) => x.code === 'KFP3001');
    expect(d).toBeDefined();
    expect(file.positionAt(d!.span!.start).line).toBe(3);
  });
});

describe('a broken component.yaml', () => {
  it('is reported at its line in that file, with the import as a note', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-'));
    writeFileSync(join(dir, 'bad.yaml'), 'name: Bad\ninputs:\n- {name: a, type: String}\nimplementation:\n  container:\n    image: alpine\n    comand: [echo]\n');
    const { result } = compileText('import "bad.yaml" as bad\n', dir);
    const d = result.diagnostics[0]!;
    expect(d.code).toBe('KFP4003');
    expect(d.file!.path).toContain('bad.yaml');
    expect(d.file!.positionAt(d.span!.start).line).toBe(7);
    expect(d.related?.[0]?.message).toBe('imported here');
  });

  it('rejects duplicate keys and alias bombs (non-regular files: test/import-safety.test.ts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-'));
    writeFileSync(join(dir, 'dup.yaml'), 'name: A\nname: B\nimplementation: {container: {image: alpine}}\n');
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    writeFileSync(join(dir, 'bomb.yaml'), `${bomb.join('\n')}\nname: X\nimplementation: {container: {image: alpine}}\n`);
    // Expanded, the bomb would be 9^9 (387 million) strings: no time limit is needed to notice.
    for (const [name, expected] of [['dup.yaml', /duplicate|unique/i], ['bomb.yaml', /alias/i]] as const) {
      const { result } = compileText(`import "${name}" as x\n`, dir);
      expect(result.diagnostics[0]!.code).toBe('KFP4003');
      expect(result.diagnostics[0]!.message).toMatch(expected);
    }
  });

  it('does not pollute Object.prototype', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-'));
    writeFileSync(join(dir, 'proto.yaml'), 'name: P\n__proto__: {polluted: true}\nimplementation: {container: {image: alpine}}\n');
    compileText('import "proto.yaml" as p\n', dir);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('writes back empty lists (`inputs: []`, `outputs: []`, `args: []`) and so passes the full verification (it was KFP9001)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-'));
    writeFileSync(join(dir, 'empty.yaml'), 'name: Empty\ninputs: []\noutputs: []\nimplementation:\n  container:\n    image: alpine:3.20\n    command: [echo, hi]\n    args: []\n');
    const { result } = compileText('import "empty.yaml" as empty\n\npipeline "p" () {\n  empty()\n}\n', dir);
    // Tests verify as `build --verify` does (vitest.config.ts): rendered text parsed back and compared.
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const component = result.files.find((f) => f.kind === 'component')!;
    expect(YAML.parse(component.text)).toMatchObject({ inputs: [], outputs: [], implementation: { container: { args: [] } } });
  });
});
