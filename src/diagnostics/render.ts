/** Renders diagnostics as rustc-style text (`pretty`), one line each (`short`) or JSON (`json`). */
import type { SourceFile, Span } from '../source.js';
import type { Diagnostic } from './diagnostic.js';

export type Format = 'pretty' | 'short' | 'json';

interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  bold(s: string): string;
}

const plain: Paint = { red: (s) => s, yellow: (s) => s, blue: (s) => s, bold: (s) => s };
const ansi: Paint = {
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s) => `\x1b[33m${s}\x1b[39m`,
  blue: (s) => `\x1b[34m${s}\x1b[39m`,
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
};

const MAX_LINE = 120;

function location(file: SourceFile, sp: Span): { line: number; column: number; endLine: number; endColumn: number } {
  const a = file.positionAt(sp.start);
  const b = file.positionAt(Math.max(sp.start, sp.end));
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

/**
 * A long line is cut to this many source characters around the caret before anything else is
 * done with it, so that a diagnostic costs the same on a 1 MB line as on a short one.
 */
const RAW_WINDOW = 400;

/** Expands tabs so that carets line up, and windows very long lines around the caret. */
function snippetLine(text: string, startCol: number, endCol: number, cutBefore: boolean, cutAfter: boolean): { text: string; start: number; width: number } {
  let out = '';
  let start = 0;
  let end = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === startCol - 1) start = out.length;
    if (i === endCol - 1) end = out.length;
    if (i === text.length) break;
    const ch = text[i]!;
    out += ch === '\t' ? ' '.repeat(4 - (out.length % 4)) : ch;
  }
  if (endCol - 1 > text.length) end = out.length + 1;
  let width = Math.max(1, end - start);
  if (out.length > MAX_LINE || cutBefore || cutAfter) {
    const from = Math.max(0, Math.min(start - 40, out.length - MAX_LINE));
    const before = from > 0 || cutBefore;
    const windowed = (before ? '…' : '') + out.slice(from, from + MAX_LINE) + (from + MAX_LINE < out.length || cutAfter ? '…' : '');
    start -= from - (before ? 1 : 0);
    width = Math.min(width, MAX_LINE - start + 1);
    return { text: windowed, start, width };
  }
  return { text: out, start, width };
}

function renderSnippet(file: SourceFile, sp: Span, mark: string, label: string | undefined, p: Paint, colour: (s: string) => string): string[] {
  const loc = location(file, sp);
  const line = file.lineRange(loc.line);
  const caret = Math.min(Math.max(sp.start, line.start), line.end);
  const from = Math.max(line.start, caret - RAW_WINDOW / 2);
  const to = Math.min(line.end, from + RAW_WINDOW);
  const lineText = file.text.slice(from, to);
  const endOffset = loc.endLine === loc.line ? Math.max(sp.end, caret) : line.end;
  const endCol = (to < line.end ? Math.min(endOffset, to) : endOffset) - from + 1;
  const s = snippetLine(lineText, caret - from + 1, endCol, from > line.start, to < line.end);
  const gutter = String(loc.line).length;
  const pad = ' '.repeat(gutter);
  const lines: string[] = [];
  lines.push(`${pad} ${p.blue('|')}`);
  lines.push(`${p.blue(String(loc.line))} ${p.blue('|')} ${s.text}`);
  lines.push(`${pad} ${p.blue('|')} ${' '.repeat(s.start)}${colour(mark.repeat(s.width) + (label ? ` ${label}` : ''))}`);
  return lines;
}

export function renderPretty(d: Diagnostic, colour = false): string {
  const p = colour ? ansi : plain;
  const sev = d.severity === 'error' ? p.red : p.yellow;
  const out: string[] = [p.bold(`${sev(`${d.severity}[${d.code}]`)}: ${d.message}`)];
  let gutter = 1;
  if (d.file && d.span) {
    const loc = location(d.file, d.span);
    gutter = String(loc.line).length;
    out.push(`${' '.repeat(gutter)}${p.blue('-->')} ${d.file.path}:${loc.line}:${loc.column}`);
    out.push(...renderSnippet(d.file, d.span, '^', d.label, p, sev));
  } else if (d.file) {
    out.push(`${' '.repeat(gutter)}${p.blue('-->')} ${d.file.path}`);
  }
  for (const r of d.related ?? []) {
    const loc = location(r.file, r.span);
    out.push(`${p.bold('note')}: ${r.message}`);
    out.push(`${' '.repeat(String(loc.line).length)}${p.blue('-->')} ${r.file.path}:${loc.line}:${loc.column}`);
    out.push(...renderSnippet(r.file, r.span, '-', undefined, p, p.blue));
  }
  if (d.hint) {
    out.push(`${' '.repeat(gutter)} ${p.blue('=')} hint: ${d.hint}`);
  }
  if (d.code.startsWith('KFP9')) {
    out.push(`${' '.repeat(gutter)} ${p.blue('=')} note: this is a bug in kfpdsl, not in your .kfp file; please report it with the input attached`);
  }
  return out.join('\n') + '\n';
}

export function renderShort(d: Diagnostic): string {
  let where = '';
  if (d.file && d.span) {
    const loc = location(d.file, d.span);
    where = `${d.file.path}:${loc.line}:${loc.column}: `;
  } else if (d.file) where = `${d.file.path}: `;
  return `${where}${d.severity} ${d.code}: ${d.message} [${d.slug}]${d.hint ? ` (hint: ${d.hint})` : ''}\n`;
}

export function toJson(d: Diagnostic): Record<string, unknown> {
  const o: Record<string, unknown> = { code: d.code, slug: d.slug, severity: d.severity, message: d.message };
  if (d.file) o.file = d.file.path;
  if (d.file && d.span) {
    const loc = location(d.file, d.span);
    o.start = { line: loc.line, column: loc.column, offset: d.span.start };
    o.end = { line: loc.endLine, column: loc.endColumn, offset: d.span.end };
  }
  if (d.label) o.label = d.label;
  if (d.hint) o.hint = d.hint;
  if (d.related) {
    o.related = d.related.map((r) => {
      const loc = location(r.file, r.span);
      return { message: r.message, file: r.file.path, start: { line: loc.line, column: loc.column, offset: r.span.start } };
    });
  }
  return o;
}

export function renderAll(ds: readonly Diagnostic[], format: Format, colour = false): string {
  if (format === 'json') return JSON.stringify(ds.map(toJson), null, 2) + '\n';
  if (format === 'short') return ds.map(renderShort).join('');
  return ds.map((d) => renderPretty(d, colour)).join('\n');
}
