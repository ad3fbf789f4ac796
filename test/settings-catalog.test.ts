// The settings are defined once, in src/check/settings-catalog.ts: the README's tables are
// generated from it (scripts/gen-readme-settings.mjs), the checker dispatches on it, and every
// documented example is a setting the checker accepts.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  PIPELINE_SETTING_DEFS,
  PIPELINE_SETTINGS,
  settingDef,
  settingsTableMarkdown,
  TASK_SETTING_DEFS,
  TASK_SETTINGS,
  type SettingDef,
} from '../src/check/settings-catalog.js';
import { compileSource } from '../src/compile.js';
import { renderShort } from '../src/diagnostics/render.js';
import { SourceFile } from '../src/source.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('README.md settings tables', () => {
  it('are the ones generated from the catalog (else: npm run generate)', async () => {
    const url = pathToFileURL(resolve(repoRoot, 'scripts/gen-readme-settings.mjs')).href;
    const gen = (await import(url)) as { withSettingsTables: (readme: string, tables: { task: string; pipeline: string }) => string };
    const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
    const expected = gen.withSettingsTables(readme, { task: settingsTableMarkdown('task'), pipeline: settingsTableMarkdown('pipeline') });
    expect(readme === expected, 'README.md settings tables differ from src/check/settings-catalog.ts: run npm run generate').toBe(true);
  });

  it('have one row per setting', () => {
    expect(settingsTableMarkdown('task').trimEnd().split('\n')).toHaveLength(TASK_SETTING_DEFS.length + 2);
    expect(settingsTableMarkdown('pipeline').trimEnd().split('\n')).toHaveLength(PIPELINE_SETTING_DEFS.length + 2);
  });
});

describe('the settings catalog', () => {
  const all: readonly SettingDef[] = [...TASK_SETTING_DEFS, ...PIPELINE_SETTING_DEFS];

  it('names each setting once per place, each documented, with an example of itself', () => {
    expect(new Set(TASK_SETTINGS).size).toBe(TASK_SETTINGS.length);
    expect(new Set(PIPELINE_SETTINGS).size).toBe(PIPELINE_SETTINGS.length);
    for (const d of all) {
      expect(d.doc, d.name).toMatch(/^[A-Z`].*\.$/);
      expect(d.value, d.name).not.toBe('');
      expect(d.target, d.name).not.toBe('');
      expect(d.example.startsWith(`${d.name}: `), d.name).toBe(true);
      expect(settingDef(d.where, d.name)).toBe(d);
      if (d.needs) expect(settingDef(d.where, d.needs), d.name).toBeDefined();
    }
    expect(settingDef('pipeline', 'cpu')).toBeUndefined();
  });

  const component = 'component add(a: int, b: int) -> int {\n  ```python\n  return a + b\n  ```\n}\n';
  const diagnosticsOf = (text: string): string[] => compileSource(new SourceFile('settings.kfp', text)).diagnostics.map((d) => renderShort(d));

  it.each(TASK_SETTING_DEFS.map((d) => [d.name, d] as const))('task setting %s: its example compiles', (_, d: SettingDef) => {
    // `n` and `vol` are what the examples refer to: a parameter and a volume.
    const needs = d.needs ? `${settingDef('task', d.needs)!.example}, ` : '';
    const text = `${component}pipeline "p" (n: int = 1) {\n  vol = volume("data", size: "1Gi", mode: "ReadWriteOnce")\n  add(n, 2) { ${needs}${d.example}, mount: { "/vol": vol } }\n}\n`;
    const fixed = d.name === 'mount' ? text.replace(', mount: { "/vol": vol }', '') : text;
    expect(diagnosticsOf(fixed)).toEqual([]);
  });

  it.each(PIPELINE_SETTING_DEFS.map((d) => [d.name, d] as const))('pipeline setting %s: its example compiles', (_, d: SettingDef) => {
    expect(diagnosticsOf(`${component}pipeline "p" () {\n  ${d.example}\n  add(1, 2)\n}\n`)).toEqual([]);
  });

  it('is what the checker knows: an unknown name is suggested from it, a closed list is enforced from it', () => {
    const task = diagnosticsOf(`${component}pipeline "p" () {\n  add(1, 2) { memroy: "1G", image_pull_policy: "Sometimes" }\n}\n`);
    expect(task.join('\n')).toMatch(/unknown task setting `memroy`/);
    expect(task.join('\n')).toMatch(/"Always", "Never", "IfNotPresent"/);
    const pipeline = diagnosticsOf(`${component}pipeline "p" () {\n  paralelism: 2\n  add(1, 2)\n}\n`);
    expect(pipeline.join('\n')).toMatch(/unknown pipeline setting `paralelism`/);
  });
});
