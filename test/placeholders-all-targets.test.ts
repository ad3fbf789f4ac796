/**
 * Placeholders on every target, beyond test/argo-placeholders.test.ts: tags found as Argo's
 * template engine finds them (fasttemplate: from `{{` to the next `}}`, braces inside included,
 * nested `{{`), KFP v2's `{{$…}}` (its launcher replaces them anywhere in a command line, Python
 * programs included), tags that only `concat` assembles, tags in pipeline names, descriptions,
 * dict keys and imported component.yaml files; and the language's run values on `--target
 * kfp-v2`, which must become KFP v2's placeholders (or be refused), never Argo's left unfilled.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { kfpV2Backend } from '../src/backends/kfp-v2/index.js';
import { findArgoTags } from '../src/check/argo-placeholders.js';
import { compileSource, type CompileOptions } from '../src/compile.js';
import { importYaml } from '../src/import/index.js';
import { SourceFile } from '../src/source.js';
import { runCli } from './support/cli.js';
import { runIds } from './support/run-cli.js';

function compile(text: string, options: CompileOptions = {}, path = 'p.kfp') {
  const file = new SourceFile(path, text);
  const r = compileSource(file, options);
  const warnings = r.diagnostics.filter((d) => d.code === 'KFP3103');
  return { file, r, warnings, located: warnings.map((w) => (w.file ?? file).text.slice(w.span!.start, w.span!.end)) };
}

const python = (body: string) => `component c(name: str) {\n  \`\`\`python\n  ${body}\n  \`\`\`\n}\npipeline "p" (name: str = "x") {\n  c(name)\n}\n`;
const container = (items: string) => `component c(a: str) {\n  image: "alpine:3.19"\n  command: ["echo", a${items}]\n}\npipeline "p" () {\n  c("x")\n}\n`;

describe("tags as Argo's template engine finds them", () => {
  it('an expression holding braces is one tag', () => {
    const { warnings, located } = compile(python(`s = '{{=sprig.trim("{x}")}}'`));
    expect(located).toEqual(['{{=sprig.trim("{x}")}}']);
    expect(warnings[0]!.message).toMatch(/evaluating this expression/);
  });

  it('a known name after a second `{{` inside an unknown tag is substituted (Argo tries it)', () => {
    expect(compile(python("s = '{{a{{inputs.parameters.name}}'")).located).toEqual(['{{inputs.parameters.name}}']);
  });

  it("an f-string's braces around a name are left alone, as Argo leaves them", () => {
    expect(compile(python("s = f'{{{inputs.parameters.name}}}'")).warnings).toEqual([]);
  });

  it('a tag broken over two lines is still one tag, shown on one line', () => {
    const { warnings } = compile(python("s = '''{{inputs.parameters.name\n}}'''"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe("Argo replaces `{{inputs.parameters.name\\n}}` with the value of the template's input parameter `name` (a parameter value becomes code)");
  });

  it('findArgoTags agrees with fasttemplate on unterminated and adjacent tags', () => {
    expect(findArgoTags('{{pod.name}}{{workflow.name}}').map((t) => t.tag)).toEqual(['{{pod.name}}', '{{workflow.name}}']);
    expect(findArgoTags('{{pod.name')).toEqual([]);
    expect(findArgoTags('{{ x }} {{pod.name}}').map((t) => t.tag)).toEqual(['{{pod.name}}']);
  });
});

describe("KFP v2's placeholders: warned on every target (the same source builds for kfp-v2)", () => {
  it.each([
    ['{{$}}', /executor input/],
    ["{{$.inputs.parameters['name']}}", /input parameter `name` \(a parameter value becomes code\)/],
    ["{{$.inputs.artifacts['d'].path}}", /path of input artifact `d`/],
    ["{{$.outputs.parameters['o'].output_file}}", /path of output `o`/],
    ["{{$.outputs.artifacts['m'].uri}}", /uri of output artifact `m`/],
    ['{{$.pipeline_job_uuid}}', /run's id/],
    ['{{$.anything}}', /KFP v2's/],
  ])('%s in a python block and in a string', (tag, meaning) => {
    for (const text of [python(`print(${JSON.stringify(`x ${tag} y`)})`), container(`, ${JSON.stringify(`pre ${tag} post`)}`)]) {
      const { warnings, located } = compile(text);
      expect(located).toEqual([tag]);
      expect(warnings[0]!.message).toMatch(/^KFP v2 replaces /);
      expect(warnings[0]!.message).toMatch(meaning);
      expect(warnings[0]!.label).toMatch(/KFP v2's launcher/);
    }
  });

  it('split braces, as the hint says, are not reported', () => {
    expect(compile(python(`print('{' '{$}}')`)).warnings).toEqual([]);
  });
});

describe('tags in other places the user writes text', () => {
  it('assembled by concat from literals that hold none alone: reported at the concat', () => {
    const { warnings, located } = compile(container(', concat("{{inputs.", "parameters.a}}")'));
    expect(located).toEqual(['concat("{{inputs.", "parameters.a}}")']);
    expect(warnings[0]!.message).toMatch(/`\{\{inputs\.parameters\.a\}\}`/);
  });

  it('a value between two literals joins nothing: not reported', () => {
    expect(compile(container(', concat("{{inputs.", a, "parameters.a}}")')).warnings).toEqual([]);
  });

  it('the pipeline name and description, and dict keys', () => {
    const text = `${container('')}`.replace('pipeline "p" () {\n', 'pipeline "{{workflow.name}} p" () {\n  """Runs {{pod.name}}"""\n').replace('c("x")', 'c("x") { annotations: { "{{workflow.uid}}": "v" } }');
    expect(compile(text).located).toEqual(['{{workflow.name}}', '{{pod.name}}', '{{workflow.uid}}']);
  });

  it("an imported component.yaml's literal tags are warned at their place in that file; its own placeholders are not", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-yaml-tags-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    writeFileSync(join(dir, 'c.yaml'), "name: Echo\ninputs:\n- {name: text, type: String}\nimplementation:\n  container:\n    image: alpine:3.19\n    command: [sh, -c, 'echo {{inputs.parameters.text}} {{$}}', {inputValue: text}]\n");
    const { warnings, located } = compile('import "c.yaml" as c\npipeline "p" () {\n  c("x")\n}\n', {}, join(dir, 'p.kfp'));
    expect(located).toEqual(['{{inputs.parameters.text}}', '{{$}}']);
    expect(warnings.every((w) => w.file!.path.endsWith('c.yaml') && w.file!.positionAt(w.span!.start).line === 7)).toBe(true);
    expect(warnings[0]!.related?.[0]?.message).toBe('imported here');
  });
});

describe('kfpdsl import', () => {
  it("turns kfp's run placeholders in task arguments into the language's values, not strings that warn", () => {
    const text = 'component show(a: str, b: str, c: str) {\n  image: "alpine:3.19"\n  command: ["echo", a, b, c]\n}\npipeline "r" () {\n  show(run.id, run.name, workflow.namespace)\n}\n';
    const workflow = compile(text).r.files.find((f) => f.kind === 'workflow')!.text;
    const imported = importYaml('r.yaml', workflow);
    expect(imported.diagnostics).toEqual([]);
    expect(imported.text).toContain('show(a: workflow.uid, b: workflow.name, c: workflow.namespace)');
    const again = compile(imported.text!);
    expect(again.r.diagnostics).toEqual([]);
    const args = (wf: string) => YAML.parse(wf).spec.templates.find((t: { dag?: unknown }) => t.dag).dag.tasks[0].arguments.parameters.map((p: { value: string }) => p.value);
    expect(args(again.r.files.find((f) => f.kind === 'workflow')!.text)).toEqual(['{{workflow.uid}}', '{{workflow.name}}', '{{workflow.namespace}}']);
  });
});

describe('a callable pipeline of a module', () => {
  it("is compiled into its importer's output, so its text is warned at the module's lines", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-module-tags-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    writeFileSync(join(dir, 'm.kfp'), `${container('').split('pipeline')[0]}pipeline sub "sub" () {\n  c("{{pod.name}}")\n}\n`);
    const { warnings } = compile('import "m.kfp"\npipeline "p" () {\n  sub()\n}\n', {}, join(dir, 'p.kfp'));
    expect(warnings.map((w) => [w.file!.path.endsWith('m.kfp'), w.message])).toEqual([[true, "Argo replaces `{{pod.name}}` with the pod's name"]]);
  });
});

describe('run values on --target kfp-v2', () => {
  const text = 'component show(a: str, b: str) {\n  image: "alpine:3.19"\n  command: ["sh", "-c", "echo A=$0 B=$1", a, b]\n}\npipeline "p" () {\n  show(run.id, run.name)\n  show(a: workflow.uid, b: workflow.name)\n}\n';

  it("compile to KFP v2's placeholders, which its driver fills in task arguments; no warning", () => {
    const { r } = compile(text, { backend: kfpV2Backend });
    expect(r.diagnostics).toEqual([]);
    const spec = YAML.parse(r.files.find((f) => f.path.endsWith('.yaml'))!.text);
    const constants = Object.values(spec.root.dag.tasks as Record<string, { inputs: { parameters: Record<string, { runtimeValue: { constant: string } }> } }>)
      .flatMap((t) => Object.values(t.inputs.parameters).map((p) => p.runtimeValue.constant));
    expect(constants.sort()).toEqual(['{{$.pipeline_job_resource_name}}', '{{$.pipeline_job_resource_name}}', '{{$.pipeline_job_uuid}}', '{{$.pipeline_job_uuid}}']);
    expect(JSON.stringify(spec)).not.toContain('{{workflow.');
  });

  it('where KFP v2 fills none (the namespace, env, a command line) they are refused, located', () => {
    const bad = 'component show(a: str) {\n  image: "alpine:3.19"\n  command: ["echo", a, concat("x-", run.id)]\n}\npipeline "p" () {\n  show(workflow.namespace) { env: { ID: run.id } }\n}\n';
    const { r, file } = compile(bad, { backend: kfpV2Backend });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, file.positionAt(d.span!.start).line])).toEqual([['KFP5021', 1], ['KFP5020', 6], ['KFP5020', 6]]);
    expect(errors.map((d) => d.message)).toEqual([
      expect.stringContaining('`run.id` (`workflow.uid`) in a command line'),
      expect.stringContaining('`workflow.namespace` (KFP v2 has no placeholder for it)'),
      expect.stringContaining('env `ID` set to `run.id` (`workflow.uid`)'),
    ]);
  });

  it('in an `if` condition, where KFP v2 would compare the text `{{workflow.name}}`: refused', () => {
    const cond = 'component show(a: str) {\n  image: "alpine:3.19"\n  command: ["echo", a]\n}\npipeline "p" () {\n  if run.name == "x" {\n    show("y")\n  }\n}\n';
    const { r, file } = compile(cond, { backend: kfpV2Backend });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, file.positionAt(d.span!.start).line])).toEqual([['KFP5020', 6]]);
    expect(errors[0]!.message).toContain('`run.name` (`workflow.name`) in an `if` condition');
    expect(compile(cond).r.diagnostics).toEqual([]);
  });

  it('kfpdsl run --target kfp-v2 gives the program the run id and name, as the driver does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-v2-run-values-'));
    writeFileSync(join(dir, 'p.kfp'), text);
    const r = runCli(['run', join(dir, 'p.kfp'), '--target', 'kfp-v2', '-q', '--run-dir', join(dir, 'runs')]);
    expect(r.status, r.stderr).toBe(0);
    const run = runIds(join(dir, 'runs'))[0]!;
    const logs = readdirSync(join(dir, 'runs', run)).filter((d) => d.startsWith('p.show')).map((d) => readFileSync(join(dir, 'runs', run, d, 'log'), 'utf8'));
    expect(logs).toHaveLength(2);
    for (const log of logs) {
      expect(log).not.toContain('{{');
      expect(log).toMatch(/^A=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} B=p-/);
    }
  });
});
