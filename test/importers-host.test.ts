// importersOf reads the project through the FileHost, as the compiler reads modules: a project
// held only in memory (nothing of it on disk) still has its importers found.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importersOf } from '../src/cli/sources.js';
import { fsHost } from '../src/project/file-host.js';
import { MemoryHost } from '../src/project/memory-host.js';

const component = 'component hello() -> (out: str) {\n  ```python\n  return "hi"\n  ```\n}\n';

describe('importersOf through the host', () => {
  const host = new MemoryHost(
    {
      'package.json': '{}',
      'lib/common.kfp': component,
      'lib/wrapper.kfp': 'import "common.kfp"\n',
      'pipelines/nightly.kfp': 'import "../lib/wrapper.kfp"\n\npipeline "nightly" () {\n  hello()\n}\n',
      'pipelines/alone.kfp': 'pipeline "alone" () {\n}\n',
      'node_modules/x/uses.kfp': 'import "../../lib/common.kfp"\n',
      '.hidden/uses.kfp': 'import "../lib/common.kfp"\n',
    },
    { cwd: '/work/project' },
  );

  it('finds direct and indirect importers of a module, skipping node_modules and dot-directories', () => {
    expect(importersOf(['lib/common.kfp'], undefined, host)).toEqual(['lib/wrapper.kfp', 'pipelines/nightly.kfp']);
  });

  it('a file imported by nothing has no importers; the named files are never their own importers', () => {
    expect(importersOf(['pipelines/alone.kfp'], undefined, host)).toEqual([]);
    expect(importersOf(['lib/common.kfp', 'lib/wrapper.kfp'], undefined, host)).toEqual(['pipelines/nightly.kfp']);
  });

  it('an unsaved buffer counts: an import added in memory makes a new importer', () => {
    const edited = new MemoryHost({ 'pipelines/alone.kfp': 'import "../lib/common.kfp"\n\npipeline "alone" () {\n}\n' }, { base: host, cwd: '/work/project' });
    expect(importersOf(['lib/common.kfp'], undefined, edited)).toEqual(['lib/wrapper.kfp', 'pipelines/alone.kfp', 'pipelines/nightly.kfp']);
  });
});

// On disk the walk takes each entry's kind from readdir and resolves only links (sources.ts
// kfpFilesUnder): links to files and directories must count, and a link to a parent must not loop.
describe('importersOf on disk, through links', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'kfpdsl-importers-')));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, text: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  put('package.json', '{}');
  put('lib/common.kfp', component);
  put('elsewhere/linked-dir/uses.kfp', `import "${join(root, 'lib/common.kfp')}"\n`);
  put('elsewhere/linked-file.kfp', `import "${join(root, 'lib/common.kfp')}"\n`);
  put('pipelines/direct.kfp', 'import "../lib/common.kfp"\n');
  put('pipelines/alone.kfp', 'pipeline "alone" () {\n}\n');
  symlinkSync(join(root, 'elsewhere/linked-dir'), join(root, 'pipelines/through-dir'));
  symlinkSync(join(root, 'elsewhere/linked-file.kfp'), join(root, 'pipelines/through-file.kfp'));
  symlinkSync(root, join(root, 'pipelines/loop'));
  symlinkSync(join(root, 'nowhere'), join(root, 'pipelines/dangling.kfp'));

  it('finds importers in linked directories and linked files, once each by their real path (shown by the path walked last), and ends', () => {
    const found = importersOf([join(root, 'lib/common.kfp')], root, fsHost);
    expect(found.map((p) => (p.startsWith(root) ? p.slice(root.length + 1) : p))).toEqual(['elsewhere/linked-dir/uses.kfp', 'pipelines/direct.kfp', 'pipelines/through-file.kfp']);
  });
});
