/**
 * Argo placeholders are explicit: `{{…}}` that Argo would substitute, written in a code block
 * or a string, is warning KFP3103 naming what Argo puts there; `{{…}}` Argo leaves alone is
 * not reported; the language's own values (`workflow.uid`, `run.id`, …) compile to Argo's
 * tags, warning-free, and `kfpdsl run` fills them in. A parameter value never becomes code.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { argoMeaning } from '../src/check/argo-placeholders.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { runCli } from './support/cli.js';
import { runIds } from './support/run-cli.js';

function compile(text: string) {
  const file = new SourceFile('p.kfp', text);
  const r = compileSource(file);
  return { file, r, warnings: r.diagnostics.filter((d) => d.code === 'KFP3103'), at: (i: number) => file.text.slice(r.diagnostics[i]!.span!.start, r.diagnostics[i]!.span!.end) };
}

const python = (body: string) => `component c(name: str) {\n  \`\`\`python\n  ${body}\n  \`\`\`\n}\npipeline "p" (name: str = "x") {\n  c(name)\n}\n`;
const container = (items: string) => `component c(a: str) {\n  image: "alpine:3.19"\n  command: ["echo", a${items}]\n}\npipeline "p" () {\n  c("x")\n}\n`;

describe('KFP3103: text Argo would substitute', () => {
  it('in a python block: the tag is located and named, with a hint', () => {
    const { warnings, file } = compile(python("print('hello {{inputs.parameters.name}}')"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe("Argo replaces `{{inputs.parameters.name}}` with the value of the template's input parameter `name` (a parameter value becomes code)");
    expect(file.text.slice(warnings[0]!.span!.start, warnings[0]!.span!.end)).toBe('{{inputs.parameters.name}}');
    expect(warnings[0]!.hint).toMatch(/argv/);
  });

  it.each([
    ['{{workflow.uid}}', /UID/],
    ['{{ workflow.name }}', /workflow's name/],
    ['{{pod.name}}', /pod's name/],
    ['{{item}}', /loop item/],
    ['{{item.a}}', /loop item/],
    ['{{tasks.t.outputs.parameters.t-out}}', /another task/],
    ['{{workflow.parameters.p}}', /workflow parameter `p`/],
    ['{{=sprig.trim(inputs.parameters.a)}}', /expression/],
    ['{{retries}}', /retry/],
    ['{{workflow.nope}}', /failed validation/],
  ])('%s in a command string', (tag, meaning) => {
    const { warnings, file } = compile(container(`, ${JSON.stringify(`pre ${tag} post`)}`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(meaning);
    expect(file.text.slice(warnings[0]!.span!.start, warnings[0]!.span!.end)).toBe(tag);
    expect(warnings[0]!.hint).toMatch(/workflow\.uid/);
  });

  it('in env values, settings, defaults, loop items and descriptions', () => {
    const text =
      'component c(a: str) {\n  """uses {{workflow.name}}"""\n  image: "alpine:3.19"\n  command: ["echo", a]\n  env: { A: "{{workflow.uid}}" }\n}\n' +
      'pipeline "p" (d: str = "{{pod.name}}") {\n  for x in ["{{item}}"] {\n    c(d) { env: { B: "{{inputs.parameters.d}}" } }\n  }\n}\n';
    const { warnings, file } = compile(text);
    expect(warnings.map((w) => file.text.slice(w.span!.start, w.span!.end))).toEqual(['{{workflow.name}}', '{{workflow.uid}}', '{{pod.name}}', '{{item}}', '{{inputs.parameters.d}}']);
  });

  it('spelled with escapes, the whole string is pointed at', () => {
    const { warnings, file } = compile(container(', "\\u007b{pod.name}}"'));
    expect(warnings).toHaveLength(1);
    expect(file.text.slice(warnings[0]!.span!.start, warnings[0]!.span!.end)).toBe('"\\u007b{pod.name}}"');
  });

  it.each([
    ['Jinja-like text', "print('{{ name }}')"],
    ["an f-string's doubled braces", 'print(f"{{x}}")'],
    ['a dict in a dict', 'print({"a": {"b": 1}})'],
    ['lone braces', "print('{{' + '}}')"],
    ['split braces, as the hint says', "print('{' '{inputs.parameters.name}}')"],
  ])('not reported: %s', (_, body) => {
    expect(compile(python(body)).warnings).toEqual([]);
  });

  it('argoMeaning knows what Argo leaves alone', () => {
    for (const n of ['name', ' x ', 'pipelineparam:op=;name=x', 'inputsx']) expect(argoMeaning(n)).toBeUndefined();
  });
});

describe('the language placeholders', () => {
  const text =
    'component show(a: str, b: str) {\n  image: "alpine:3.19"\n  command: ["sh", "-c", "echo $RUN $0 $1 $NS", a, b]\n}\n' +
    'pipeline "p" () {\n  show(run.id, workflow.name) { env: { RUN: workflow.uid, NS: workflow.namespace } }\n  show(a: run.name, b: "plain")\n}\n';

  it('compile to Argo tags in arguments and env, with no warning', () => {
    const { r } = compile(text);
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text);
    const dag = wf.spec.templates.find((t: { dag?: unknown }) => t.dag).dag;
    expect(dag.tasks[0].arguments.parameters.map((p: { value: string }) => p.value)).toEqual(['{{workflow.uid}}', '{{workflow.name}}']);
    expect(dag.tasks[1].arguments.parameters[0].value).toBe('{{workflow.name}}');
    const env = wf.spec.templates.flatMap((t: { container?: { env?: { name: string; value: string }[] } }) => t.container?.env ?? []);
    expect(env).toEqual(expect.arrayContaining([{ name: 'RUN', value: '{{workflow.uid}}' }, { name: 'NS', value: '{{workflow.namespace}}' }]));
  });

  it('kfpdsl run fills them in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-placeholders-'));
    writeFileSync(join(dir, 'p.kfp'), text);
    const r = runCli(['run', join(dir, 'p.kfp'), '-q', '--run-dir', join(dir, 'runs')]);
    expect(r.status, r.stderr).toBe(0);
    const run = runIds(join(dir, 'runs'))[0]!;
    const logs = readdirSync(join(dir, 'runs', run)).filter((d) => d.startsWith('p.show')).map((d) => readFileSync(join(dir, 'runs', run, d, 'log'), 'utf8'));
    expect(logs.join('')).not.toContain('{{');
    expect(logs.join('')).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('in a container command line, concat included; kfpdsl run fills them in there too', () => {
    const cmd = 'component c() {\n  image: "alpine:3.19"\n  command: ["echo", concat("run-", run.id, "/", workflow.name)]\n}\npipeline "p" () {\n  c()\n}\n';
    const { r } = compile(cmd);
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text);
    expect(wf.spec.templates.find((t: { name: string }) => t.name === 'c').container.command).toEqual(['echo', 'run-{{workflow.uid}}/{{workflow.name}}']);
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-placeholders-'));
    writeFileSync(join(dir, 'p.kfp'), cmd);
    expect(runCli(['run', join(dir, 'p.kfp'), '-q', '--run-dir', join(dir, 'runs')]).status).toBe(0);
    const run = runIds(join(dir, 'runs'))[0]!;
    expect(readFileSync(join(dir, 'runs', run, 'p.c', 'log'), 'utf8')).toMatch(/^run-[0-9a-f-]{36}\/p-/);
  });

  it('an unknown one is an error with a suggestion', () => {
    const { r } = compile('component c(a: str) {\n  image: "alpine:3.19"\n  command: ["echo", a]\n}\npipeline "p" () {\n  c(workflow.uuid)\n  c(run)\n}\n');
    expect(r.diagnostics.map((d) => `${d.code} ${d.message} ${d.hint}`)).toEqual([
      'KFP2004 `workflow` has no value `uuid` did you mean `uid`?',
      'KFP2004 `run` is not a value by itself write one of `run.id`, `run.name`',
    ]);
  });

  it('a parameter named `workflow` shadows them', () => {
    const { r } = compile('component c(a: str) {\n  image: "alpine:3.19"\n  command: ["echo", a]\n}\npipeline "p" (workflow: str = "w") {\n  c(workflow)\n}\n');
    expect(r.diagnostics).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text);
    expect(JSON.stringify(wf)).not.toContain('{{workflow.uid}}');
  });
});

describe('a parameter value never becomes code', () => {
  it('an injection payload passed to a python component is printed, not run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-injection-'));
    writeFileSync(join(dir, 'p.kfp'), 'component greet(who: str) {\n  ```python\n  print("hello " + who)\n  ```\n}\npipeline "p" (who: str = "x") {\n  greet(who)\n}\n');
    const payload = "x'; import os; print('INJECTED'); y='";
    const r = runCli(['run', join(dir, 'p.kfp'), '-q', '--run-dir', join(dir, 'runs'), '--arg', `who=${payload}`]);
    expect(r.status, r.stderr).toBe(0);
    const run = runIds(join(dir, 'runs'))[0]!;
    const log = readFileSync(join(dir, 'runs', run, readdirSync(join(dir, 'runs', run)).find((d) => d.startsWith('p.greet'))!, 'log'), 'utf8');
    expect(log).toContain(`hello ${payload}`);
    expect(log.split('\n')).not.toContain('INJECTED');
  });
});
