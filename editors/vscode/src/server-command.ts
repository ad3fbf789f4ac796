/**
 * Which `kfpdsl` runs the language server. No VS Code API here: the extension passes in what
 * it knows (settings, workspace folders, trust, environment), so that the choice is the same
 * function in VS Code and in the tests, which load the bundled extension in plain Node.js.
 *
 * In order:
 * 1. `kfpdsl.path`, when set: that file (a bare name is looked up on PATH). Nothing else is
 *    tried when it is wrong: running another kfpdsl than the one asked for would hide the mistake.
 * 2. In a trusted workspace, each folder's `node_modules/.bin/kfpdsl`: the version the project
 *    pins (`npm install --save-dev kfpdsl`), as its pre-commit hook and CI use it.
 * 3. `kfpdsl` on PATH (`npm install -g`, `npm link`).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export interface ServerCommandInput {
  /** `kfpdsl.path` (empty: not set). */
  readonly setting: string;
  /** `kfpdsl.server.args`: passed after `lsp`. */
  readonly extraArgs: readonly string[];
  /** The workspace folders' paths, first one first. */
  readonly folders: readonly string[];
  /** Whether the workspace is trusted: only then may its own node_modules be run. */
  readonly trusted: boolean;
  /** The environment (PATH, and PATHEXT on Windows). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory, for `~` in the setting. */
  readonly home: string;
  readonly platform?: NodeJS.Platform;
}

export interface ServerCommand {
  readonly command: string;
  readonly args: string[];
  /** Where it was found, for the log. */
  readonly from: 'kfpdsl.path' | 'workspace' | 'PATH';
  /** Windows runs npm's .cmd shims only through a shell. */
  readonly shell: boolean;
}

export type ServerResolution = { readonly ok: true; readonly server: ServerCommand } | { readonly ok: false; readonly message: string; readonly tried: string[] };

export function resolveServerCommand(input: ServerCommandInput): ServerResolution {
  const platform = input.platform ?? process.platform;
  const windows = platform === 'win32';
  const names = windows ? ['kfpdsl.cmd', 'kfpdsl.exe', 'kfpdsl'] : ['kfpdsl'];
  const args = ['lsp', ...input.extraArgs];
  const found = (command: string, from: ServerCommand['from']): ServerResolution => ({
    ok: true,
    server: { command, args, from, shell: windows && /\.(cmd|bat)$/i.test(command) },
  });
  const tried: string[] = [];

  const setting = input.setting.trim();
  if (setting) {
    const expanded = expand(setting, input);
    if (!/[\\/]/.test(expanded)) {
      const onPath = searchPath(expanded, input.env, windows);
      if (onPath) return found(onPath, 'kfpdsl.path');
      return { ok: false, tried: [expanded], message: `kfpdsl.path is "${setting}", which is not a program on PATH.` };
    }
    const path = isAbsolute(expanded) ? expanded : resolve(input.folders[0] ?? input.home, expanded);
    if (isExecutable(path, windows)) return found(path, 'kfpdsl.path');
    return { ok: false, tried: [path], message: `kfpdsl.path is "${setting}", but ${path} is not an executable file.` };
  }

  if (input.trusted) {
    for (const folder of input.folders) {
      for (const name of names) {
        const path = join(folder, 'node_modules', '.bin', name);
        tried.push(path);
        if (isExecutable(path, windows)) return found(path, 'workspace');
      }
    }
  }
  const onPath = searchPath('kfpdsl', input.env, windows);
  if (onPath) return found(onPath, 'PATH');
  tried.push('kfpdsl on PATH');
  const untrusted = input.trusted || input.folders.length === 0 ? '' : ' (this workspace is not trusted, so its node_modules were not looked at)';
  return { ok: false, tried, message: `kfpdsl was not found${untrusted}: looked for ${tried.join(', ')}.` };
}

/** `~`, `${userHome}` and `${workspaceFolder}`, as in other VS Code path settings. */
function expand(value: string, input: ServerCommandInput): string {
  let out = value.replace(/\$\{userHome\}/g, input.home);
  if (input.folders[0] !== undefined) out = out.replace(/\$\{workspaceFolder\}/g, input.folders[0]);
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = input.home + out.slice(1);
  return out;
}

function searchPath(name: string, env: ServerCommandInput['env'], windows: boolean): string | undefined {
  // Windows spells it Path; Node's process.env finds it under any case, a plain object does not.
  const pathVar = env['PATH'] ?? env['Path'] ?? '';
  const extensions = windows && !/\.[A-Za-z0-9]+$/.test(name) ? (env['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of pathVar.split(windows ? ';' : delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const path = join(dir, name + ext.toLowerCase());
      if (isExecutable(path, windows)) return path;
    }
  }
  return undefined;
}

function isExecutable(path: string, windows: boolean): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (!windows) accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The command line as the log shows it. */
export function describeServerCommand(server: ServerCommand): string {
  return [server.command, ...server.args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
