/**
 * `kfpdsl lsp`: a Language Server Protocol server over stdio. Open buffers are served to the
 * compiler through an in-memory host (unsaved text wins over the disk), checked on open and
 * (debounced, incrementally: publisher.ts) on change with the compile path `kfpdsl check`
 * uses, so the editor shows the same codes, messages and hints. Every handler is guarded: a
 * bad document, a position outside the file or an unknown file gets an empty answer (a refused
 * rename, an LSP error with the reason), never a dead server.
 */
import {
  CodeActionKind,
  createConnection,
  LSPErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type Range,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatSource } from '../fmt/format.js';
import { SourceFile } from '../source.js';
import { quickFixes } from './code-actions.js';
import { completeAt } from './completion.js';
import { definitionAt } from './definition.js';
import { foldingRanges } from './folding.js';
import { hoverAt } from './hover.js';
import { referencesAt } from './references.js';
import { prepareRename, RenameRefused, renameEdits } from './rename.js';
import { LineMap } from './positions.js';
import { DiagnosticsPublisher } from './publisher.js';
import { signatureAt } from './signature.js';
import { documentSymbols } from './symbols.js';
import { pathToUri, uriToPath } from './uri.js';
import { Workspace } from './workspace.js';

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
  const publisher = new DiagnosticsPublisher(ws, {
    documents: () => documents.all().map((d) => ({ path: uriToPath(d.uri), uri: d.uri, version: d.version })),
    publish: (uri, diagnostics, version) => void connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics }),
    guard: (fallback, f) => guarded(connection, fallback, f)(),
  });

  connection.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
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
    const path = uriToPath(e.document.uri);
    ws.setBuffer(path, e.document.getText());
    publisher.changed(path);
  });
  documents.onDidChangeContent((e) => {
    const path = uriToPath(e.document.uri);
    ws.setBuffer(path, e.document.getText());
    publisher.changed(path);
  });
  documents.onDidClose((e) => {
    const path = uriToPath(e.document.uri);
    ws.closeBuffer(path);
    publisher.closed(path, e.document.uri);
  });

  /**
   * The parsed document and the compiler offset of an LSP position in it: an open buffer, or a
   * .kfp file of the disk (a client may ask about a file it has not opened, e.g. from a
   * references list).
   */
  const at = (uri: string, pos: { line: number; character: number }) => {
    const path = uriToPath(uri);
    const parsed = ws.isOpen(path) || path.endsWith('.kfp') ? ws.parse(path) : undefined;
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

  /** A rename refused (a clash, not a name) is an LSP error with the reason, which the editor shows. */
  const refusal = (e: unknown): never => {
    if (e instanceof RenameRefused) throw new ResponseError(LSPErrorCodes.RequestFailed, e.message);
    throw e;
  };

  connection.onPrepareRename((p) => {
    const here = at(p.textDocument.uri, p.position);
    if (!here) return null;
    try {
      const r = prepareRename(ws, here.parsed.doc, here.offset);
      return { range: here.parsed.lines.range(r.span), placeholder: r.name };
    } catch (e) {
      return refusal(e);
    }
  });

  connection.onRenameRequest((p) => {
    const here = at(p.textDocument.uri, p.position);
    if (!here) return null;
    try {
      const changes: Record<string, { range: Range; newText: string }[]> = {};
      for (const [path, edits] of renameEdits(ws, here.parsed.doc, here.offset, p.newName)) {
        const lines = ws.lines(path) ?? new LineMap('');
        changes[pathToUri(path)] = edits.map((e) => ({ range: lines.range(e.span), newText: e.text }));
      }
      return { changes };
    } catch (e) {
      return refusal(e);
    }
  });

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
