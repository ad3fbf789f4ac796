/**
 * The VS Code extension as it ships: `vsce package` (which typechecks and bundles the client
 * through vscode:prepublish) makes a .vsix with no network, whose contents are exactly the
 * manifest, the grammar, the language configuration, the bundled client, README and LICENSE.
 * The client taken out of that .vsix loads in Node.js and chooses the kfpdsl to run as the
 * README says (kfpdsl.path, else a trusted workspace's node_modules/.bin/kfpdsl, else PATH);
 * the command it chooses really starts the language server. No VS Code can be downloaded
 * here, so `vscode` itself is replaced by an inert stand-in while the bundle loads; the
 * server-choosing code uses none of it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_CAP_MS } from './support/caps.js';
import { ensureBundle, repoRoot } from './support/cli.js';
import { extensionBin, extensionDir, extensionTools, grammarPath } from './support/textmate.js';
import { readZip } from './support/zip.js';

const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-vsix-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const EXPECTED_ENTRIES = [
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/language-configuration.json',
  'extension/package.json',
  'extension/readme.md',
  'extension/syntaxes/kfp.tmLanguage.json',
];

interface Manifest {
  main: string;
  engines: { vscode: string };
  dependencies?: unknown;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string; embeddedLanguages: Record<string, string> }[];
    configuration: { properties: Record<string, { default: unknown }> };
    commands: { command: string }[];
  };
}

type Resolution = { ok: true; server: { command: string; args: string[]; from: string; shell: boolean } } | { ok: false; message: string; tried: string[] };
interface Extension {
  activate: unknown;
  deactivate: unknown;
  resolveServerCommand(input: { setting: string; extraArgs: string[]; folders: string[]; trusted: boolean; env: Record<string, string | undefined>; home: string }): Resolution;
}

/** Loads a CommonJS bundle with `vscode` answered by an inert stand-in (every property a callable, constructible proxy). */
function loadWithoutVscode(path: string): Extension {
  const require = createRequire(import.meta.url);
  const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
  const inert: object = new Proxy(function () {}, { get: (_t, key) => (key === 'then' ? undefined : inert), apply: () => inert, construct: () => inert });
  const load = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? inert : load.call(this, request, ...rest);
  };
  try {
    return require(path) as Extension;
  } finally {
    Module._load = load;
  }
}

describe.skipIf(extensionTools.missing)(extensionTools.title('the .vsix'), () => {
  const vsixPath = join(scratch, 'kfpdsl.vsix');
  let entries = new Map<string, Buffer>();
  let packOutput = '';

  beforeAll(() => {
    // Any attempt to reach a network fails fast: the package must be made from what is installed.
    const offline = { npm_config_offline: 'true', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' };
    const r = spawnSync(process.execPath, [extensionBin('@vscode/vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsixPath], {
      cwd: extensionDir,
      env: { ...process.env, ...offline },
      encoding: 'utf8',
      timeout: HANG_CAP_MS,
    });
    packOutput = `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`;
    if (r.status !== 0) throw new Error(`vsce package failed:\n${packOutput}`);
    entries = readZip(vsixPath);
  });

  it('holds exactly the manifest, the grammar, the language configuration, the bundled client, README and LICENSE', () => {
    expect([...entries.keys()].sort()).toEqual(EXPECTED_ENTRIES);
    expect(packOutput).toMatch(/Packaged: .*kfpdsl\.vsix/);
    // No node_modules: the client is one bundled file, and the whole package stays small.
    const size = [...entries.values()].reduce((n, b) => n + b.length, 0);
    expect(size).toBeLessThan(1024 * 1024);
  });

  it('declares the kfp language, its grammar with Python fences embedded, the settings and the commands', () => {
    const manifest = JSON.parse(entries.get('extension/package.json')!.toString('utf8')) as Manifest;
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: 'kfp', extensions: ['.kfp'] });
    expect(entries.has(`extension/${language!.configuration.replace(/^\.\//, '')}`)).toBe(true);
    const [grammar] = manifest.contributes.grammars;
    expect(grammar).toMatchObject({ language: 'kfp', scopeName: 'source.kfp', embeddedLanguages: { 'meta.embedded.block.python': 'python' } });
    expect(entries.get(`extension/${grammar!.path.replace(/^\.\//, '')}`)?.equals(readFileSync(grammarPath))).toBe(true);
    expect(entries.has(`extension/${manifest.main.replace(/^\.\//, '')}`)).toBe(true);
    expect(Object.keys(manifest.contributes.configuration.properties).sort()).toEqual(['kfpdsl.path', 'kfpdsl.server.args', 'kfpdsl.trace.server']);
    expect(manifest.contributes.commands.map((c) => c.command).sort()).toEqual(['kfpdsl.restartServer', 'kfpdsl.showOutput']);
    // vscode-languageclient 11 needs VS Code 1.91 or later; nothing is installed at run time.
    expect(manifest.engines.vscode).toBe('^1.91.0');
    expect(manifest.dependencies).toBeUndefined();
  });

  it('carries the Apache-2.0 license, named in the package manifest', () => {
    const license = entries.get('extension/LICENSE.txt')!.toString('utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(entries.get('extension.vsixmanifest')!.toString('utf8')).toContain('<License>extension/LICENSE.txt</License>');
    expect((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { license: string }).license).toBe('Apache-2.0');
  });

  it('bundles the client into one file that needs only Node.js and vscode', () => {
    const js = entries.get('extension/dist/extension.js')!.toString('utf8');
    const required = new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect([...required].filter((m) => m !== 'vscode' && !builtins.has(m))).toEqual([]);
    expect(required.has('vscode')).toBe(true);
  });

  describe('the client in the .vsix', () => {
    let ext: Extension;
    let workspace = '';
    let home = '';
    let pathDir = '';
    const kfpdsl = join(repoRoot, 'bin', 'kfpdsl');

    beforeAll(() => {
      const dir = join(scratch, 'client');
      mkdirSync(join(dir, 'dist'), { recursive: true });
      writeFileSync(join(dir, 'dist', 'extension.js'), entries.get('extension/dist/extension.js')!);
      ext = loadWithoutVscode(join(dir, 'dist', 'extension.js'));
      // A project with kfpdsl installed as npm does it (node_modules/.bin/kfpdsl links to the package's bin).
      workspace = join(scratch, 'project');
      mkdirSync(join(workspace, 'node_modules', '.bin'), { recursive: true });
      symlinkSync(kfpdsl, join(workspace, 'node_modules', '.bin', 'kfpdsl'));
      home = join(scratch, 'home');
      mkdirSync(join(home, 'tools'), { recursive: true });
      symlinkSync(kfpdsl, join(home, 'tools', 'kfpdsl'));
      pathDir = join(scratch, 'path-bin');
      mkdirSync(pathDir);
      symlinkSync(kfpdsl, join(pathDir, 'kfpdsl'));
      writeFileSync(join(home, 'tools', 'not-executable'), '#!/bin/sh\n');
      chmodSync(join(home, 'tools', 'not-executable'), 0o644);
    });

    const input = (over: Partial<Parameters<Extension['resolveServerCommand']>[0]>) => ({
      setting: '',
      extraArgs: [],
      folders: [workspace],
      trusted: true,
      env: { PATH: '/nonexistent' },
      home,
      ...over,
    });

    it('exports activate and deactivate', () => {
      expect(typeof ext.activate).toBe('function');
      expect(typeof ext.deactivate).toBe('function');
    });

    it("runs a trusted workspace's node_modules/.bin/kfpdsl, with kfpdsl.server.args after `lsp`", () => {
      const r = ext.resolveServerCommand(input({ extraArgs: ['--flag'], env: { PATH: pathDir } }));
      expect(r).toEqual({ ok: true, server: { command: join(workspace, 'node_modules', '.bin', 'kfpdsl'), args: ['lsp', '--flag'], from: 'workspace', shell: false } });
    });

    it("never runs an untrusted workspace's own kfpdsl: PATH's instead, or a message that says why", () => {
      expect(ext.resolveServerCommand(input({ trusted: false, env: { PATH: `/nonexistent:${pathDir}` } }))).toMatchObject({ ok: true, server: { command: join(pathDir, 'kfpdsl'), from: 'PATH' } });
      const none = ext.resolveServerCommand(input({ trusted: false }));
      expect(none.ok).toBe(false);
      expect(!none.ok && none.message).toMatch(/not trusted/);
    });

    it('takes kfpdsl.path first: absolute, ~, ${workspaceFolder}, relative to the workspace, or a name on PATH', () => {
      const cases: [string, string][] = [
        [kfpdsl, kfpdsl],
        ['~/tools/kfpdsl', join(home, 'tools', 'kfpdsl')],
        ['${workspaceFolder}/node_modules/.bin/kfpdsl', join(workspace, 'node_modules', '.bin', 'kfpdsl')],
        ['node_modules/.bin/kfpdsl', join(workspace, 'node_modules', '.bin', 'kfpdsl')],
        ['kfpdsl', join(pathDir, 'kfpdsl')],
      ];
      for (const [setting, command] of cases) {
        expect(ext.resolveServerCommand(input({ setting, env: { PATH: pathDir } })), setting).toMatchObject({ ok: true, server: { command, from: 'kfpdsl.path', args: ['lsp'] } });
      }
    });

    it('reports a wrong kfpdsl.path instead of running another kfpdsl, and lists what it tried when there is none', () => {
      const wrong = ext.resolveServerCommand(input({ setting: '~/tools/not-executable', env: { PATH: pathDir } }));
      expect(wrong).toEqual({ ok: false, tried: [join(home, 'tools', 'not-executable')], message: `kfpdsl.path is "~/tools/not-executable", but ${join(home, 'tools', 'not-executable')} is not an executable file.` });
      const missing = ext.resolveServerCommand(input({ folders: [home] }));
      expect(missing).toEqual({ ok: false, tried: [join(home, 'node_modules', '.bin', 'kfpdsl'), 'kfpdsl on PATH'], message: `kfpdsl was not found: looked for ${join(home, 'node_modules', '.bin', 'kfpdsl')}, kfpdsl on PATH.` });
    });

    it('chooses a command that starts the language server (as the client runs it, with --stdio)', async () => {
      ensureBundle();
      const r = ext.resolveServerCommand(input({}));
      if (!r.ok) throw new Error(r.message);
      const child = spawn(r.server.command, [...r.server.args, '--stdio'], { cwd: workspace, stdio: 'pipe' });
      const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
      connection.listen();
      try {
        const init = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as { serverInfo?: { name: string }; capabilities: Record<string, unknown> };
        expect(init.serverInfo?.name).toBe('kfpdsl');
        expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, documentFormattingProvider: true });
        await connection.sendRequest('shutdown');
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        await connection.sendNotification('exit');
        expect(await exited).toBe(0);
      } finally {
        connection.dispose();
        child.kill();
      }
    });
  });
});
