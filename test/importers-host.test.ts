// importersOf reads the project through the FileHost, as the compiler reads modules: a project
// held only in memory (nothing of it on disk) still has its importers found.
import { describe, expect, it } from 'vitest';
import { importersOf } from '../src/cli/sources.js';
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
