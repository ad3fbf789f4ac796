/**
 * The VS Code client of `kfpdsl lsp`: it finds kfpdsl (src/server-command.ts), starts the
 * language server over stdio for .kfp buffers, and says plainly when it cannot, with a way to
 * fix it (open the setting, see the log). Highlighting and the editing rules (brackets,
 * comments, folding markers) are declarative and work without the server.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { describeServerCommand, resolveServerCommand, type ServerCommand, type ServerResolution } from './server-command';

export { describeServerCommand, resolveServerCommand };

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let traceOutput: vscode.LogOutputChannel | undefined;
/** Starts and stops one at a time: a restart while starting waits for the start. */
let queue: Promise<void> = Promise.resolve();

const OPEN_SETTINGS = 'Open Settings';
const SHOW_OUTPUT = 'Show Output';

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('kfpdsl', { log: true });
  traceOutput = vscode.window.createOutputChannel('kfpdsl (trace)', { log: true });
  context.subscriptions.push(
    output,
    traceOutput,
    vscode.commands.registerCommand('kfpdsl.restartServer', () => restart()),
    vscode.commands.registerCommand('kfpdsl.showOutput', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('kfpdsl.path') || e.affectsConfiguration('kfpdsl.server.args')) void restart();
    }),
    // A workspace trusted later may have its own kfpdsl in node_modules.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      if (!client) void restart();
    }),
  );
  void restart();
}

export function deactivate(): Promise<void> {
  return enqueue(stop);
}

function restart(): Promise<void> {
  return enqueue(async () => {
    await stop();
    await start();
  });
}

function enqueue(step: () => Promise<void>): Promise<void> {
  queue = queue.then(step, step);
  return queue;
}

/** What the settings and the workspace say, as resolveServerCommand takes it. */
export function serverResolution(): ServerResolution {
  const config = vscode.workspace.getConfiguration('kfpdsl');
  return resolveServerCommand({
    setting: config.get<string>('path', ''),
    extraArgs: config.get<string[]>('server.args', []),
    folders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    trusted: vscode.workspace.isTrusted,
    env: process.env,
    home: homedir(),
  });
}

async function start(): Promise<void> {
  const resolution = serverResolution();
  if (!resolution.ok) {
    log(resolution.message);
    void report(`${resolution.message} Install kfpdsl in the project (npm install --save-dev) or on PATH (npm install -g), or set kfpdsl.path. Highlighting works without it.`);
    return;
  }
  const server = resolution.server;
  log(`starting ${describeServerCommand(server)} (from ${server.from})`);
  const next = new LanguageClient('kfpdsl', 'kfpdsl', serverOptions(server), clientOptions());
  try {
    await next.start();
    client = next;
    const info = next.initializeResult?.serverInfo;
    log(`started ${info?.name ?? 'kfpdsl'}${info?.version ? ` ${info.version}` : ''}`);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    log(`could not start ${describeServerCommand(server)}: ${why}`);
    void report(`${server.command} did not start the language server (${why}). Is it a kfpdsl with the \`lsp\` command? See the output for its messages.`);
    await next.dispose().catch(() => undefined);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.dispose().catch((e: unknown) => log(`stopping the server: ${e instanceof Error ? e.message : String(e)}`));
}

function serverOptions(server: ServerCommand): ServerOptions {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  // With shell (a Windows .cmd), the command line is joined with spaces: quote the program.
  const command = server.shell && /\s/.test(server.command) ? `"${server.command}"` : server.command;
  return { command, args: server.args, transport: TransportKind.stdio, options: { cwd: folder, shell: server.shell } };
}

function clientOptions(): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: 'file', language: 'kfp' },
      { scheme: 'untitled', language: 'kfp' },
    ],
    outputChannel: output,
    traceOutputChannel: traceOutput,
    // The client's own pop-ups for a crash are kept; the log opens only when asked.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
  };
}

function log(line: string): void {
  output?.info(line);
}

async function report(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(`kfpdsl: ${message}`, OPEN_SETTINGS, SHOW_OUTPUT);
  if (choice === OPEN_SETTINGS) await vscode.commands.executeCommand('workbench.action.openSettings', 'kfpdsl.path');
  if (choice === SHOW_OUTPUT) output?.show(true);
}
