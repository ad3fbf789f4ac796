/**
 * Files and values across task boundaries (issue 9, item 4, compile-time half). A `file` output
 * into a value input, and a value a Python component returned into a `file` input, are errors
 * (fixtures in test/fixtures/errors/KFP3001-type-mismatch-*-to-*.kfp); kfp v1's legitimate ways
 * of turning a value into a file (constants, parameters, loop items, a container's typed output)
 * and the untyped ports of loaded component.yaml files keep compiling.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';

const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-file-value-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  join(dir, 'untyped.component.yaml'),
  [
    'name: Untyped',
    'inputs:',
    '- {name: anything}',
    'outputs:',
    '- {name: result}',
    'implementation:',
    '  container:',
    '    image: alpine:3.19',
    '    command: [sh, -c, \'mkdir -p "$(dirname "$1")" && echo "$0" > "$1"\', {inputValue: anything}, {outputPath: result}]',
    '',
  ].join('\n'),
);
writeFileSync(
  join(dir, 'typed-path.component.yaml'),
  [
    'name: Typed path',
    'inputs:',
    '- {name: text, type: String}',
    'implementation:',
    '  container:',
    '    image: alpine:3.19',
    '    command: [cat, {inputPath: text}]',
    '',
  ].join('\n'),
);

const COMPONENTS = `
import "untyped.component.yaml" as untyped
import "typed-path.component.yaml" as typed_path

component write() -> (out: file) {
  \`\`\`python
  open(out, "w").write("7")
  \`\`\`
}

component read(data: file) {
  \`\`\`python
  print(open(data).read())
  \`\`\`
}

component double(n: int) -> int {
  \`\`\`python
  return 2 * n
  \`\`\`
}

component shout() -> (text: str) {
  image: "alpine:3.19"
  command: ["sh", "-c", "echo HI > $0", text]
}

component name() -> str {
  \`\`\`python
  return "kfp"
  \`\`\`
}
`;

function compile(pipeline: string): { codes: string[]; messages: string[]; workflow?: Record<string, unknown> } {
  const path = join(dir, `case-${Math.random().toString(36).slice(2)}.kfp`);
  const r = compileSource(new SourceFile(path, `${COMPONENTS}\npipeline "p" (text: str = "x", rows: list = [1, 2]) {\n${pipeline}\n}\n`));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  const wf = r.files.find((f) => f.kind === 'workflow');
  return { codes: errors.map((d) => d.code), messages: errors.map((d) => d.message), ...(wf ? { workflow: YAML.parse(wf.text) as Record<string, unknown> } : {}) };
}

describe('kfp v1 cases that keep compiling', () => {
  it.each([
    ['a file output into a file input', 'w = write()\n  read(w.out)'],
    ['a literal into a file input (kfp: a raw artifact holding the text)', 'read("a,b\\n1,2")'],
    ['a pipeline parameter into a file input (kfp: a parameter consumed as a file)', 'read(text)'],
    ['a loop item into a file input (kfp: a raw artifact of {{item}})', 'for r in rows { read(r) }'],
    ['a file output into an untyped input of a component.yaml', 'w = write()\n  untyped(w.out)'],
    ['an untyped output of a component.yaml into an int input', 'u = untyped("3")\n  double(u)'],
    ['an untyped output of a component.yaml into a file input', 'u = untyped("3")\n  read(u)'],
    ["a str output into a component.yaml's String-typed inputPath (kfp types match)", 'n = name()\n  typed_path(n)'],
    ["a container's str output (a file its command wrote) into a file input, as kfp's probe_data_passing", 's = shout()\n  read(s)'],
    ["a container's str output into a str input too", 's = shout()\n  untyped(s)'],
  ])('%s', (_what, body) => {
    const r = compile(`  ${body}`);
    expect(r.messages).toEqual([]);
    expect(r.workflow).toBeDefined();
  });
});

describe('mismatches that are errors', () => {
  it.each([
    ['a file output into an int input', 'w = write()\n  double(w.out)', 'expected `int`, found `file`'],
    ['an int output into a file input', 'd = double(1)\n  read(d)', 'expected `file`, found an `int` output'],
    ['a str output into a file input', 'n = name()\n  read(n)', 'expected `file`, found a `str` output'],
    ['an inline call of an int output into a file input', 'read(double(1))', 'expected `file`, found an `int` output'],
  ])('%s', (_what, body, message) => {
    const r = compile(`  ${body}`);
    expect(r.codes).toEqual(['KFP3001']);
    expect(r.messages).toEqual([message]);
  });

  it('a file output into a str input', () => {
    const path = join(dir, 'str-input.kfp');
    const text = `${COMPONENTS}
component greet(who: str) {
  \`\`\`python
  print("hello", who)
  \`\`\`
}
pipeline "p" () {
  w = write()
  greet(w.out)
}
`;
    const r = compileSource(new SourceFile(path, text));
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.message, d.hint])).toEqual([
      ['KFP3001', 'expected `str`, found `file`', 'declare the input `who: file` and read the file in the component, or give the producer a `str` output and return the value'],
    ]);
  });
});
