/**
 * Every other way a path reaches the file system stays in the project as imports do
 * (test/import-safety.test.ts): a source named on the command line that is a symbolic link
 * (`evil.kfp -> /proc/self/environ`, `-> ../.env`), a `.kfp` module link to a file that is not
 * a module, a YAML file with a bare `implementation:` key, the project walk that finds a
 * module's importers, and the language server's hover and go-to-definition. Real files, real
 * links, the real CLI and server; the secret must appear in no output.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { renderAll } from '../src/diagnostics/render.js';
import { fsHost, type FileHost } from '../src/project/file-host.js';
import { SourceFile } from '../src/source.js';
import { runCli } from './support/cli.js';
import { fileUri, LspClient } from './support/lsp-client.js';

const SECRET = 'hunter2-do-not-print';
const MODULE = `component train(x: str) {\n  """Trains. ${SECRET}"""\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\n`;

let base = '';
let proj = '';

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'kfpdsl-import-links-')));
  proj = join(base, 'proj');
  mkdirSync(join(base, 'outside'), { recursive: true });
  mkdirSync(join(proj, 'lib'), { recursive: true });
  writeFileSync(join(proj, 'kfpdsl.yaml'), '');
  writeFileSync(join(base, 'outside', 'secret.env'), `TOKEN=${SECRET}\n`);
  writeFileSync(join(base, 'outside', 'other.kfp'), `${SECRET} is not .kfp syntax\n`);
  writeFileSync(join(base, 'outside', 'lib.kfp'), MODULE);
  writeFileSync(join(proj, 'secret.env'), `TOKEN=${SECRET}\n`);
  writeFileSync(join(proj, 'impl.yaml'), `implementation: ${SECRET}\npassword: ${SECRET}\n`);
  writeFileSync(join(proj, 'impl-container.yaml'), `implementation:\n  container: ${SECRET}\n`);
  writeFileSync(join(proj, 'described.yaml'), `description: ${SECRET}\ninputs: [{name: ${SECRET}}]\n`);
  writeFileSync(join(proj, 'ok.kfp'), 'component ok(x: str) {\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\n');
  symlinkSync('secret.env', join(proj, 'env-link.kfp'));
  symlinkSync('../secret.env', join(proj, 'lib', 'env-link.kfp'));
  symlinkSync('/proc/self/environ', join(proj, 'environ.kfp'));
  symlinkSync(join(base, 'outside', 'other.kfp'), join(proj, 'out-link.kfp'));
  symlinkSync('ok.kfp', join(proj, 'in-link.kfp'));
  symlinkSync(join(base, 'outside'), join(proj, 'vendor'));
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

function cli(args: string[]) {
  const r = runCli(args, { cwd: proj, env: { ...process.env, KFPDSL_TEST_SECRET: SECRET } });
  return { ...r, out: r.stdout + r.stderr };
}

describe('a source that is a symbolic link is read only if it ends at a .kfp file inside the root', () => {
  it.each([
    ['environ.kfp', 'KFP0005', /a kernel file/],
    ['env-link.kfp', 'KFP0016', /symbolic link to a file not named \*\.kfp/],
    ['out-link.kfp', 'KFP0016', /symbolic link to a file outside the project root/],
    ['vendor/other.kfp', 'KFP0016', /symbolic link to a file outside the project root/],
  ])('%s is refused unread by check, fmt, graph and build', (name, code, message) => {
    for (const args of [['check', name], ['fmt', '--check', name], ['graph', name], ['build', name, '-o', join(base, 'out')]]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.out).toContain(code);
      expect(r.out).toMatch(message);
      expect(r.out).not.toContain(SECRET);
      expect(r.out).not.toMatch(/PATH=/);
    }
  });

  it('a link inside the root to a .kfp file is read', () => {
    expect(cli(['check', 'in-link.kfp']).status).toBe(0);
  });

  it('--root above both makes the outside file a source like any other', () => {
    const r = cli(['check', '--root', base, 'vendor/lib.kfp']);
    expect(r.status).toBe(0);
  });

  it('run /proc/self/environ (no link at all): a kernel file is never read as a spec', () => {
    const r = cli(['run', '/proc/self/environ']);
    expect(r.status).toBe(1);
    expect(r.out).toContain('error[KFP0005]');
    expect(r.out).not.toContain(SECRET);
  });

  it('run SPEC.yaml: a YAML file that is no pipeline spec and does not parse is not quoted', () => {
    writeFileSync(join(proj, 'broken-secrets.yaml'), `password: ${SECRET}\n  token: [${SECRET}\n`);
    const r = cli(['run', 'broken-secrets.yaml']);
    expect(r.status).toBe(1);
    expect(r.out).toContain('error[KFP0112]: broken-secrets.yaml is not valid YAML (line 1), nor a KFP v2 pipeline spec');
    expect(r.out).not.toContain(SECRET);
  });

  it('kfpdsl import of a YAML file that is neither kfp pipeline nor component, parsing or not, quotes none of it', () => {
    writeFileSync(join(proj, 'plain-secrets.yaml'), `password: ${SECRET}\n`);
    writeFileSync(join(proj, 'broken-secrets.yaml'), `password: ${SECRET}\n  token: [${SECRET}\n`);
    for (const [name, code] of [['broken-secrets.yaml', 'KFP0302'], ['plain-secrets.yaml', 'KFP0300']] as const) {
      const r = cli(['import', name]);
      expect(r.status).toBe(1);
      expect(r.out).toContain(`error[${code}]`);
      expect(r.out).not.toContain(SECRET);
    }
  });

  it('run SPEC.yaml: a link to a file of another kind is refused unread', () => {
    symlinkSync('secret.env', join(proj, 'spec.yaml'));
    const r = cli(['run', 'spec.yaml']);
    expect(r.status).toBe(1);
    expect(r.out).toContain('KFP0016');
    expect(r.out).not.toContain(SECRET);
  });
});

describe('imports whose content would be quoted', () => {
  it('a module link to a file not named *.kfp is refused at the import', () => {
    for (const path of ['env-link.kfp', 'lib/env-link.kfp']) {
      writeFileSync(join(proj, 'm.kfp'), `import "${path}"\n`);
      const r = cli(['check', 'm.kfp']);
      expect(r.status).toBe(1);
      expect(r.out).toContain('error[KFP4006]');
      expect(r.out).toContain('symbolic link to a file not named *.kfp');
      expect(r.out).toContain(' --> m.kfp:1:8');
      expect(r.out).not.toContain(SECRET);
    }
  });

  it.each([
    ['impl.yaml', 'its `implementation` holds no `container` or `graph` mapping'],
    ['impl-container.yaml', 'its `implementation` holds no `container` or `graph` mapping'],
  ])('%s, which has an `implementation` key but is no component, is not quoted', (path, why) => {
    writeFileSync(join(proj, 'c.kfp'), `import "${path}" as c\n`);
    const r = cli(['check', 'c.kfp']);
    expect(r.status).toBe(1);
    expect(r.out).toContain(`\`${path}\` is not a kfp v1 component: ${why}`);
    expect(r.out).toContain(' --> c.kfp:1:8');
    expect(r.out).not.toContain(SECRET);
  });

  it("a module's importers are looked for inside the root only (a linked directory out of it is not walked)", () => {
    // vendor/ (a link out of the project) holds a file that imports lib/mod.kfp and does not parse.
    writeFileSync(join(proj, 'lib', 'mod.kfp'), 'component m(x: str) {\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\n');
    writeFileSync(join(base, 'outside', 'importer.kfp'), `import "../lib/mod.kfp"\n${SECRET} !\n`);
    const r = cli(['check', 'lib/mod.kfp']);
    expect(r.out).not.toContain(SECRET);
    expect(r.status).toBe(0);
  });
});

describe('path tricks never reach outside the root', () => {
  it.each([
    ['a chain of links, the last one out', 'chain.yaml'],
    ['`..` after a linked directory', 'vendor/../../outside/secret.env'],
    ['`~`', '~/secret.env'],
    ['a file:// URL', `file://${join(base, 'outside', 'secret.env')}`],
    ['backslashes', '..\\outside\\secret.env'],
    ['URL-encoded dots', '%2e%2e/outside/secret.env'],
    ['fullwidth dots', '\uff0e\uff0e/outside/secret.env'],
    ['a long path', `${'a/'.repeat(2000)}../../outside/secret.env`],
  ])('%s', (_, path) => {
    if (path === 'chain.yaml') {
      symlinkSync(join(base, 'outside', 'secret.env'), join(proj, 'chain-1.yaml'));
      symlinkSync('chain-1.yaml', join(proj, 'chain.yaml'));
    }
    const touched: string[] = [];
    const host: FileHost = {
      ...fsHost,
      realPath: (p) => fsHost.realPath(p),
      readRegularFile: (p, n) => (touched.push(p), fsHost.readRegularFile(p, n)),
    };
    const text = `import ${JSON.stringify(path)} as c\n`;
    const file = new SourceFile(join(proj, 'tricks.kfp'), text);
    const result = compileSource(file, { checkOnly: true, host });
    const rendered = renderAll(result.diagnostics, 'pretty');
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([expect.stringMatching(/^KFP400[35]$/)]);
    expect(rendered).not.toContain(SECRET);
    expect(touched.filter((p) => !p.startsWith(`${proj}/`))).toEqual([]);
  });

  it('a source that is a chain of links, the last one out of the root', () => {
    symlinkSync(join(base, 'outside', 'other.kfp'), join(proj, 'src-1.kfp'));
    symlinkSync('src-1.kfp', join(proj, 'src-chain.kfp'));
    const r = cli(['check', 'src-chain.kfp']);
    expect(r.out).toContain('KFP0016');
    expect(r.out).not.toContain(SECRET);
  });
});

describe('the language server reads no file that a build would refuse', () => {
  let lsp: LspClient;
  beforeAll(async () => {
    lsp = await LspClient.start();
  });
  afterAll(async () => {
    await lsp?.stop();
  });

  it('hover and go-to-definition of a module outside the root, directly or through a linked directory', async () => {
    const text = 'import "../outside/lib.kfp" as a\nimport "vendor/lib.kfp" as b\n\npipeline "p" () {\n  a.train("x")\n  b.train("x")\n}\n';
    const uri = fileUri(join(proj, 'h.kfp'));
    lsp.open(uri, text);
    for (const line of [4, 5]) {
      const at = { textDocument: { uri }, position: { line, character: 5 } };
      const hover = await lsp.request<{ contents: { value: string } } | null>('textDocument/hover', at);
      expect(JSON.stringify(hover)).not.toContain(SECRET);
      expect(await lsp.request('textDocument/definition', at)).toBeNull();
    }
    for (const line of [0, 1]) {
      const at = { textDocument: { uri }, position: { line, character: 10 } };
      expect(await lsp.request('textDocument/definition', at)).toBeNull();
      const hover = await lsp.request<{ contents: { value: string } }>('textDocument/hover', at);
      expect(hover.contents.value).toBe('outside the project root: not read');
    }
    const completion = await lsp.request<unknown>('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 2 } });
    expect(JSON.stringify(completion)).not.toContain(SECRET);
  });

  it('references and rename never reach a file through a link out of the root', async () => {
    // vendor/user.kfp (outside, through the link) imports ../r.kfp, which from there names proj/r.kfp.
    writeFileSync(join(proj, 'r.kfp'), 'component helper(x: str) {\n  image: "alpine:3.19"\n  command: ["echo", x]\n}\npipeline "r" () {\n  helper("a")\n}\n');
    writeFileSync(join(base, 'outside', 'user.kfp'), 'import "../r.kfp"\npipeline "u" () {\n  helper("b")\n}\n');
    const uri = fileUri(join(proj, 'r.kfp'));
    lsp.open(uri, readFileSync(join(proj, 'r.kfp'), 'utf8'));
    const at = { textDocument: { uri }, position: { line: 0, character: 12 } };
    const refs = await lsp.request<{ uri: string }[]>('textDocument/references', { ...at, context: { includeDeclaration: true } });
    expect(refs.map((r) => r.uri)).toEqual([uri, uri]);
    const edit = await lsp.request<{ changes: Record<string, unknown> }>('textDocument/rename', { ...at, newName: 'helper2' });
    expect(Object.keys(edit.changes)).toEqual([uri]);
  });

  it('hover of a YAML import that is not a component shows none of its content', async () => {
    const uri = fileUri(join(proj, 'y.kfp'));
    lsp.open(uri, 'import "described.yaml" as d\n\npipeline "p" () {\n  d()\n}\n');
    const hover = await lsp.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 2 } });
    expect(hover.contents.value).toContain('not readable as a component.yaml');
    expect(hover.contents.value).not.toContain(SECRET);
  });

  it('hover of a real component.yaml still shows its signature, description and image', async () => {
    writeFileSync(join(proj, 'echo.yaml'), 'name: Echo\ndescription: Echoes.\ninputs:\n- {name: text, type: String}\nimplementation:\n  container:\n    image: alpine:3.19\n    command: [echo, {inputValue: text}]\n');
    const uri = fileUri(join(proj, 'e.kfp'));
    lsp.open(uri, 'import "echo.yaml" as e\n\npipeline "p" () {\n  e("x")\n}\n');
    const hover = await lsp.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 2 } });
    expect(hover.contents.value).toContain('component e(text: String)');
    expect(hover.contents.value).toContain('Echoes.');
    expect(hover.contents.value).toContain('image: `alpine:3.19`');
  });
});
