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

/**
 * Text from a source file as a terminal may show it: control characters (ESC, form feed, DEL,
 * the C1 controls, NEL) become their Unicode pictures (␛, ␌, ␡) or �, and the bidirectional
 * overrides of a "Trojan Source" become �, one column each. Printed raw, an ESC in a comment of
 * a .kfp file checked in CI wrote its own escape sequences into the terminal or the log.
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x20 ? String.fromCharCode(0x2400 + n) : n === 0x7f ? '\u2421' : '\ufffd';
  });
}

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
    out += ch === '\t' ? ' '.repeat(4 - (out.length % 4)) : visible(ch);
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

/** Code points that take no column of their own: combining marks, format characters (ZWJ), variation selectors. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** East Asian wide and fullwidth characters (Hangul, CJK, kana, fullwidth forms) and emoji: two columns in a terminal. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/**
 * The columns `text` takes in a terminal, so that a caret under a line holding Korean, CJK,
 * emoji or combining accents stands under the character it marks (a code unit per column put
 * it 4 columns left of `"zz"` after `"한글한글"`).
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ZERO_WIDTH.test(ch)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
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
  // Offsets into the line's text become terminal columns; past its end (a caret at the line break), one column each.
  const before = displayWidth(s.text.slice(0, s.start));
  const past = Math.max(0, s.start + s.width - s.text.length);
  const marks = Math.max(1, displayWidth(s.text.slice(s.start, s.start + s.width)) + past);
  lines.push(`${pad} ${p.blue('|')} ${' '.repeat(before)}${colour(mark.repeat(marks) + (label ? ` ${visible(label)}` : ''))}`);
  return lines;
}

export function renderPretty(d: Diagnostic, colour = false): string {
  const p = colour ? ansi : plain;
  const sev = d.severity === 'error' ? p.red : p.yellow;
  const out: string[] = [p.bold(`${sev(`${d.severity}[${d.code}]`)}: ${visible(d.message)}`)];
  let gutter = 1;
  if (d.file && d.span) {
    const loc = location(d.file, d.span);
    gutter = String(loc.line).length;
    out.push(`${' '.repeat(gutter)}${p.blue('-->')} ${visible(d.file.path)}:${loc.line}:${loc.column}`);
    out.push(...renderSnippet(d.file, d.span, '^', d.label, p, sev));
  } else if (d.file) {
    out.push(`${' '.repeat(gutter)}${p.blue('-->')} ${visible(d.file.path)}`);
  }
  for (const r of d.related ?? []) {
    const loc = location(r.file, r.span);
    out.push(`${p.bold('note')}: ${visible(r.message)}`);
    out.push(`${' '.repeat(String(loc.line).length)}${p.blue('-->')} ${visible(r.file.path)}:${loc.line}:${loc.column}`);
    out.push(...renderSnippet(r.file, r.span, '-', undefined, p, p.blue));
  }
  if (d.hint) {
    out.push(`${' '.repeat(gutter)} ${p.blue('=')} hint: ${visible(d.hint)}`);
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
    where = `${visible(d.file.path)}:${loc.line}:${loc.column}: `;
  } else if (d.file) where = `${visible(d.file.path)}: `;
  return `${where}${d.severity} ${d.code}: ${visible(d.message)} [${d.slug}]${d.hint ? ` (hint: ${visible(d.hint)})` : ''}\n`;
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
