/**
 * `kfpdsl lsp`: a Language Server Protocol server over stdio. Open buffers are served to the
 * compiler through an in-memory host (unsaved text wins over the disk), checked on open and
 * (debounced) on change with the compile path `kfpdsl check` uses, so the editor shows the
 * same codes, messages and hints. Every handler is guarded: a bad document, a position
 * outside the file or an unknown file gets an empty answer, never a dead server.
 */
import {
  CodeActionKind,
  createConnection,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatSource } from '../fmt/format.js';
import { SourceFile } from '../source.js';
import { quickFixes } from './code-actions.js';
import { completeAt } from './completion.js';
import { definitionAt } from './definition.js';
import { checkBuffer } from './diagnostics.js';
import { foldingRanges } from './folding.js';
import { hoverAt } from './hover.js';
import { referencesAt } from './references.js';
import { LineMap } from './positions.js';
import { signatureAt } from './signature.js';
import { documentSymbols } from './symbols.js';
import { pathToUri, uriToPath } from './uri.js';
import { Workspace } from './workspace.js';

/** How long typing must pause before the open buffers are checked again. */
const DEBOUNCE_MS = 150;

/** Runs a handler; a bug in it answers `fallback` (and is logged) instead of stopping the server. */
function guarded<A extends unknown[], R>(connection: Connection, fallback: R, f: (...a: A) => R): (...a: A) => R {
  return (...a: A) => {
    try {
      return f(...a);
    } catch (e) {
      connection.console.error(`kfpdsl lsp: internal error: ${e instanceof Error ? e.message : String(e)}`);
      return fallback;
    }
  };
}

export function startLanguageServer(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): void {
  const connection = createConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
  const documents = new TextDocuments(TextDocument);
  const ws = new Workspace();
  let timer: NodeJS.Timeout | undefined;

  /** Files not open that were given diagnostics (modules of open buffers): cleared when they have none. */
  let shownClosed = new Set<string>();
  const validateAll = (): void => {
    timer = undefined;
    // A change to one buffer can break (or fix) the buffers that import it: all open ones are checked.
    const closed = new Map<string, Map<string, LspDiagnostic>>();
    for (const d of documents.all()) {
      const path = uriToPath(d.uri);
      const byFile = guarded(connection, new Map<string, LspDiagnostic[]>(), () => checkBuffer(ws, path))();
      void connection.sendDiagnostics({ uri: d.uri, version: d.version, diagnostics: byFile.get(path) ?? [] });
      // A module's problems, when the module is not open itself (then its own check shows them).
      for (const [file, list] of byFile) {
        if (file === path || ws.isOpen(file)) continue;
        if (!closed.has(file)) closed.set(file, new Map());
        for (const x of list) closed.get(file)!.set(`${x.code}\0${JSON.stringify(x.range)}\0${x.message}`, x);
      }
    }
    for (const [file, list] of closed) void connection.sendDiagnostics({ uri: pathToUri(file), diagnostics: [...list.values()] });
    for (const file of shownClosed) if (!closed.has(file)) void connection.sendDiagnostics({ uri: pathToUri(file), diagnostics: [] });
    shownClosed = new Set(closed.keys());
  };
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(validateAll, DEBOUNCE_MS);
  };

  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        completionProvider: { triggerCharacters: ['.'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'kfpdsl' },
    }),
  );

  documents.onDidOpen((e) => {
    ws.setBuffer(uriToPath(e.document.uri), e.document.getText());
    schedule();
  });
  documents.onDidChangeContent((e) => {
    ws.setBuffer(uriToPath(e.document.uri), e.document.getText());
    schedule();
  });
  documents.onDidClose((e) => {
    ws.closeBuffer(uriToPath(e.document.uri));
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    schedule();
  });

  /** The parsed buffer and the compiler offset of an LSP position in it, when the document is open. */
  const at = (uri: string, pos: { line: number; character: number }) => {
    const path = uriToPath(uri);
    const parsed = ws.isOpen(path) ? ws.parse(path) : undefined;
    return parsed ? { parsed, offset: parsed.lines.offset(pos) } : undefined;
  };

  connection.onHover(
    guarded(connection, null, (p) => {
      const here = at(p.textDocument.uri, p.position);
      const h = here && hoverAt(ws, here.parsed.doc, here.offset);
      return h ? { contents: { kind: 'markdown' as const, value: h.text }, range: here.parsed.lines.range(h.span) } : null;
    }),
  );

  connection.onDefinition(
    guarded(connection, null, (p) => {
      const here = at(p.textDocument.uri, p.position);
      const place = here && definitionAt(ws, here.parsed.doc, here.offset);
      if (!place) return null;
      const text = ws.text(place.path);
      const lines = text === undefined ? new LineMap('') : new LineMap(text);
      return { uri: pathToUri(place.path), range: lines.range(place.span) };
    }),
  );

  connection.onReferences(
    guarded(connection, [], (p) => {
      const here = at(p.textDocument.uri, p.position);
      if (!here) return [];
      return referencesAt(ws, here.parsed.doc, here.offset, p.context?.includeDeclaration ?? true).map((place) => {
        const lines = ws.lines(place.path) ?? new LineMap('');
        return { uri: pathToUri(place.path), range: lines.range(place.span) };
      });
    }),
  );

  connection.onSignatureHelp(
    guarded(connection, null, (p) => {
      const here = at(p.textDocument.uri, p.position);
      return here ? signatureAt(ws, here.parsed.doc, here.offset) : null;
    }),
  );

  connection.onDocumentSymbol(
    guarded(connection, [], (p) => {
      const path = uriToPath(p.textDocument.uri);
      const parsed = ws.isOpen(path) ? ws.parse(path) : undefined;
      return parsed ? documentSymbols(parsed.doc, parsed.lines) : [];
    }),
  );

  connection.onFoldingRanges(
    guarded(connection, [], (p) => {
      const path = uriToPath(p.textDocument.uri);
      const parsed = ws.isOpen(path) ? ws.parse(path) : undefined;
      return parsed ? foldingRanges(parsed.doc, parsed.lines) : [];
    }),
  );

  connection.onDocumentFormatting(
    guarded(connection, [], (p) => {
      const path = uriToPath(p.textDocument.uri);
      const text = ws.isOpen(path) ? ws.text(path) : undefined;
      if (text === undefined) return [];
      // A file with syntax errors is not formatted: its diagnostics already say why.
      const formatted = formatSource(new SourceFile(path, text)).text;
      if (formatted === undefined || formatted === text) return [];
      const lines = new LineMap(text);
      return [{ range: { start: { line: 0, character: 0 }, end: lines.position(text.length) }, newText: formatted }];
    }),
  );

  connection.onCompletion(
    guarded(connection, [], (p) => {
      const here = at(p.textDocument.uri, p.position);
      return here ? completeAt(ws, here.parsed.doc, here.offset) : [];
    }),
  );

  connection.onCodeAction(
    guarded(connection, [], (p) => {
      const doc = documents.get(p.textDocument.uri);
      return doc ? quickFixes(p.textDocument.uri, p.context.diagnostics, (r) => doc.getText(r)) : [];
    }),
  );

  documents.listen(connection);
  connection.listen();
}
