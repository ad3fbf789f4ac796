/**
 * A small LSP client for tests: spawns the real `bin/kfpdsl lsp` and speaks JSON-RPC to it
 * over stdio (vscode-jsonrpc), keeping every diagnostics notification so that a test can wait
 * for the one it expects (the server debounces, so a test waits for an event, never a time).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { ensureBundle, repoRoot } from './cli.js';

export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  source: string;
  message: string;
  relatedInformation?: { location: { uri: string; range: LspDiagnostic['range'] }; message: string }[];
}

export interface Published {
  uri: string;
  version?: number;
  diagnostics: LspDiagnostic[];
}

export class LspClient {
  readonly connection: MessageConnection;
  readonly stderr: string[] = [];
  private readonly published: Published[] = [];
  private waiters: (() => void)[] = [];
  private exited = false;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.push(p);
      this.wake();
    });
    child.stderr.on('data', (b: Buffer) => this.stderr.push(b.toString('utf8')));
    child.on('exit', () => {
      this.exited = true;
      this.wake();
    });
    this.connection.listen();
  }

  static async start(): Promise<LspClient> {
    ensureBundle();
    const child = spawn(join(repoRoot, 'bin', 'kfpdsl'), ['lsp', '--stdio'], { stdio: 'pipe' });
    const client = new LspClient(child);
    await client.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  get alive(): boolean {
    return !this.exited;
  }

  open(uri: string, text: string, version = 1): void {
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kfp', version, text } });
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** How many diagnostics notifications came so far: a mark for `publishedSince`. */
  mark(): number {
    return this.published.length;
  }

  /** The diagnostics notifications that came after `mark`, in order. */
  publishedSince(mark: number): readonly Published[] {
    return this.published.slice(mark);
  }

  /** Replaces the whole text (a full-document change). */
  change(uri: string, text: string, version: number): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** The first diagnostics published for `uri` (at `version` or later) that satisfy `ok`. */
  async diagnostics(uri: string, version: number, ok: (d: LspDiagnostic[]) => boolean = () => true, since = 0): Promise<LspDiagnostic[]> {
    for (;;) {
      const found = this.published.find((p, i) => i >= since && p.uri === uri && (p.version ?? 0) >= version && ok(p.diagnostics));
      if (found) return found.diagnostics;
      if (this.exited) throw new Error(`the server exited; stderr:\n${this.stderr.join('')}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      await this.request('shutdown', null);
      await this.connection.sendNotification('exit');
      await new Promise<void>((resolve) => (this.exited ? resolve() : this.child.on('exit', () => resolve())));
    }
    this.connection.dispose();
  }
}

export const fileUri = (path: string): string => pathToFileURL(path).href;
