/**
 * Imports stay in the project: a `.kfp` from a pull request, checked by the pre-commit hook
 * in CI, must not be able to read the machine's files and print them. Each case is a real
 * file tree in a temp dir (real symbolic links, a real FIFO made with mkfifo) compiled by the
 * real compiler; the rendered diagnostics must never contain the refused file's content.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSource, type CompileOptions } from '../src/compile.js';
import { renderAll } from '../src/diagnostics/render.js';
import { fsHost, type FileHost } from '../src/project/file-host.js';
import { SourceFile } from '../src/source.js';
import { runCli } from './support/cli.js';
import { requirement } from './support/requirements.js';

const SECRET = 'hunter2-do-not-print';
const COMPONENT = 'name: Echo\ninputs:\n- {name: text, type: String}\nimplementation:\n  container:\n    image: alpine:3.19\n    command: [echo, {inputValue: text}]\n';

let base = '';
let proj = '';
let haveFifo = false;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'kfpdsl-import-safety-')));
  proj = join(base, 'proj');
  mkdirSync(join(base, 'outside'), { recursive: true });
  mkdirSync(join(proj, 'sub', 'dir'), { recursive: true });
  writeFileSync(join(base, 'outside', 'c.yaml'), COMPONENT + `# ${SECRET}\n`);
  writeFileSync(join(base, 'outside', 'secret.env'), `TOKEN=${SECRET}\n`);
  writeFileSync(join(proj, 'kfpdsl.yaml'), '');
  writeFileSync(join(proj, 'ok.yaml'), COMPONENT);
  writeFileSync(join(proj, 'secret.env'), `TOKEN=${SECRET}\nOTHER=x\n`);
  writeFileSync(join(proj, 'secrets.yaml'), `password: ${SECRET}\n`);
  writeFileSync(join(proj, 'broken-secrets.yaml'), `password: [${SECRET}\nuser: {\n`);
  writeFileSync(join(proj, 'list.yaml'), `- ${SECRET}\n`);
  writeFileSync(join(proj, 'big.yaml'), COMPONENT + `#${'x'.repeat(5 * 1024 * 1024)}\n`);
  symlinkSync(join(base, 'outside', 'c.yaml'), join(proj, 'link-out.yaml'));
  symlinkSync('../outside/secret.env', join(proj, 'link-out-relative.yaml'));
  symlinkSync(join(base, 'outside'), join(proj, 'outdir'));
  symlinkSync('ok.yaml', join(proj, 'link-in.yaml'));
  symlinkSync('/proc/self/environ', join(proj, 'environ.yaml'));
  haveFifo = spawnSync('mkfifo', [join(proj, 'fifo.yaml')]).status === 0;
});

function compileIn(dir: string, importPath: string, options: CompileOptions = {}) {
  const text = `import ${JSON.stringify(importPath)} as c\n`;
  const path = join(dir, 'p.kfp');
  writeFileSync(path, text);
  const file = new SourceFile(path, text);
  const result = compileSource(file, { checkOnly: true, ...options });
  const rendered = renderAll(result.diagnostics, 'pretty') + renderAll(result.diagnostics, 'json');
  return { file, result, rendered, errors: result.diagnostics.filter((d) => d.severity === 'error') };
}

function expectLoaded(r: ReturnType<typeof compileIn>) {
  expect(r.errors).toEqual([]);
  expect(r.result.program?.components.map((c) => c.name)).toEqual(['c']);
}

/** The one error, located at the import's path in the .kfp file, and nothing of the secret. */
function expectRefused(importPath: string, code: string, message: RegExp, options: CompileOptions = {}) {
  const { file, errors, rendered } = compileIn(proj, importPath, options);
  expect(errors.map((d) => d.code)).toEqual([code]);
  expect(errors[0]!.message).toMatch(message);
  expect(errors[0]!.file).toBe(file);
  expect(file.text.slice(errors[0]!.span!.start, errors[0]!.span!.end)).toBe(JSON.stringify(importPath));
  expect(rendered).not.toContain(SECRET);
  return rendered;
}

describe('imports inside the project root', () => {
  it('a component beside the .kfp file loads', () => {
    expectLoaded(compileIn(proj, 'ok.yaml'));
  });

  it('a symbolic link to a file inside the root loads', () => {
    expectLoaded(compileIn(proj, 'link-in.yaml'));
  });

  it('an absolute path inside the root loads', () => {
    expectLoaded(compileIn(proj, join(proj, 'ok.yaml')));
  });

  it('`..` that stays inside the root loads', () => {
    expectLoaded(compileIn(join(proj, 'sub'), '../ok.yaml'));
  });
});

describe('imports outside the project root are refused, unread', () => {
  it('a relative path out of the root', () => {
    expectRefused('../outside/c.yaml', 'KFP4005', /outside the project root/);
  });

  it('../../../../etc/shadow', () => {
    expectRefused('../../../../../../../../etc/shadow', 'KFP4005', /outside the project root/);
  });

  it('an absolute path out of the root', () => {
    expectRefused(join(base, 'outside', 'secret.env'), 'KFP4005', /outside the project root/);
  });

  it('/proc/self/environ: the environment is never printed', () => {
    process.env['KFPDSL_TEST_SECRET'] = SECRET;
    const rendered = expectRefused('/proc/self/environ', 'KFP4005', /outside the project root/);
    expect(rendered).not.toMatch(/PATH=/);
  });

  it('a symbolic link to a file outside the root', () => {
    expectRefused('link-out.yaml', 'KFP4005', /symbolic link to a file outside the project root/);
    expectRefused('link-out-relative.yaml', 'KFP4005', /symbolic link/);
  });

  it('a path through a symbolic link to a directory outside the root', () => {
    expectRefused('outdir/c.yaml', 'KFP4005', /symbolic link/);
  });

  it('--root widens the project: the same import then loads', () => {
    expectLoaded(compileIn(proj, '../outside/c.yaml', { root: base }));
  });

  it('nothing outside the root is even looked at', () => {
    const touched: string[] = [];
    const host: FileHost = {
      ...fsHost,
      realPath: (p) => (touched.push(p), fsHost.realPath(p)),
      readRegularFile: (p, n) => (touched.push(p), fsHost.readRegularFile(p, n)),
      stat: (p) => (touched.push(p), fsHost.stat(p)),
      listDirectory: (p) => (touched.push(p), fsHost.listDirectory(p)),
    };
    for (const p of ['../outside/c.yaml', '/proc/self/environ', '/dev/zero', '../../../../../../etc/shadow']) compileIn(proj, p, { host });
    expect(touched).toEqual([]);
  });
});

describe('files that are not regular are refused before they are opened', () => {
  it.skipIf(process.platform !== 'linux')(requirement(process.platform === 'linux', 'not Linux: no /proc').title('/proc/self/environ, even with --root /'), () => {
    process.env['KFPDSL_TEST_SECRET'] = SECRET;
    const rendered = expectRefused('/proc/self/environ', 'KFP4006', /not a regular file/, { root: '/' });
    expect(rendered).not.toMatch(/PATH=/);
  });

  it.skipIf(process.platform !== 'linux')(requirement(process.platform === 'linux', 'not Linux: no /proc').title('a symbolic link inside the root to /proc/self/environ'), () => {
    expectRefused('environ.yaml', 'KFP4006', /not a regular file/, { root: '/' });
  });

  it('/dev/zero with --root / (it would never end)', () => {
    expectRefused('/dev/zero', 'KFP4006', /not a regular file/, { root: '/' });
  });

  it('a FIFO (opening it would block forever)', () => {
    if (!haveFifo) throw new Error('mkfifo is needed for this test');
    expectRefused('fifo.yaml', 'KFP4006', /not a regular file/);
  });

  it('a directory', () => {
    expectRefused('sub', 'KFP4006', /is a directory/);
    expectRefused('.', 'KFP4006', /is a directory/);
  });

  it('a file over 4 MiB', () => {
    expectRefused('big.yaml', 'KFP4006', /larger than 4 MiB/);
  });

  it('a missing file', () => {
    expectRefused('missing.yaml', 'KFP4003', /cannot read `missing.yaml`: ENOENT/);
  });

  it('an empty path and a NUL', () => {
    expectRefused('', 'KFP4003', /empty/);
    // A NUL is refused in any string literal, before the import looks at the path.
    const { errors, rendered } = compileIn(proj, 'a\0b');
    expect(errors.map((d) => d.code)).toEqual(['KFP4011']);
    expect(rendered).not.toContain(SECRET);
  });
});

describe('a file that is not a component is reported at the import, its content not shown', () => {
  it.each([
    ['secret.env', /not a kfp v1 component: its top level is not a mapping/],
    ['secrets.yaml', /not a kfp v1 component: it has no `implementation`/],
    ['broken-secrets.yaml', /not a kfp v1 component: it is not valid YAML \(line \d+\)/],
    ['list.yaml', /its top level is not a mapping/],
  ])('%s', (name, message) => {
    expectRefused(name, 'KFP4003', message);
  });

  it('a broken component (it has `implementation`) is still shown at its line in that file', () => {
    writeFileSync(join(proj, 'typo.yaml'), COMPONENT.replace('command:', 'comand:'));
    const { errors } = compileIn(proj, 'typo.yaml');
    expect(errors[0]!.file!.path).toMatch(/typo\.yaml$/);
    expect(errors[0]!.file!.positionAt(errors[0]!.span!.start).line).toBe(7);
  });
});

describe('kfpdsl check (the real CLI)', () => {
  it('import "/proc/self/environ" prints no part of the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-cli-'));
    writeFileSync(join(dir, 'p.kfp'), 'import "/proc/self/environ" as c\npipeline "p" () {\n  c()\n}\n');
    const r = runCli(['check', join(dir, 'p.kfp')], { env: { ...process.env, KFPDSL_TEST_SECRET: SECRET } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('KFP4005');
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });
});
