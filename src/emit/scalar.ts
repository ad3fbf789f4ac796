/**
 * How one string, number or boolean is written in the block YAML kfpdsl emits. The rules
 * are those of the `yaml` library's stringifier (2.9.1, with `compat: 'yaml-1.1'`,
 * `lineWidth: 0`, `doubleQuotedMinMultiLineLength: ∞`) that earlier versions used to write
 * the output, ported here so that writing costs a string concatenation rather than a
 * document model (test/yaml-writer.test.ts compares both on hostile strings), plus ours:
 *
 * - Go's yaml.v2 (Argo, kubectl, the KFP API server) and PyYAML (the kfp SDK) must read every
 *   string as a string: what `mayReadAsNonString` (typed-lookalikes.ts) or a YAML 1.1/1.2
 *   resolver could take for a number, bool, null or timestamp is double-quoted, and so is a
 *   bare `=` (which PyYAML cannot load).
 * - A multi-line string (a Python program, a shell script, a manifest) is a literal block
 *   scalar, its lines as they are, non-ASCII text such as Korean included, when every reader
 *   reads a block back to the same string (`blockSafe`). Otherwise it is double-quoted.
 * - Every other string holding something past printable ASCII is double-quoted with escapes
 *   (`\uXXXX`, `\x7F`, ...): Go rejects raw control characters, and escapes survive any path.
 * - A lone UTF-16 surrogate cannot be written at all (no UTF-8 and no YAML escape holds one):
 *   the checker refuses it at its source, and writing throws `UnwritableString` if one gets here.
 */
import { mayReadAsNonString } from './typed-lookalikes.js';

export class UnwritableString extends Error {}

/** What a string may hold only escaped (outside a block scalar): C0 controls but tab and newline, DEL, and everything past ASCII. */
const NEEDS_ESCAPE = /[^\t\n\x20-\x7e]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Characters no block scalar may hold raw: C0 controls but tab and newline (CR would be read
 * as a line break), DEL and the C1 controls (not printable in YAML; U+0085 NEL is a line
 * break in YAML 1.1), LS and PS (line breaks in YAML 1.1), the BOM (a byte-order mark in a
 * document is an error in YAML 1.2 and invisible in editors), and U+FFFE/U+FFFF (not printable).
 */
const BLOCK_UNSAFE_CHAR = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
/**
 * Line shapes a block scalar would not keep safely: trailing spaces or tabs on any line
 * (editors and hooks strip them, and a last line of blanks cannot be written), a tab at a
 * line's start (yaml.v2 reads tabs near indentation poorly), a space or line break first
 * (that needs an indentation indicator, which readers handle unevenly).
 */
const BLOCK_UNSAFE_SHAPE = /[ \t]\n|[ \t]$|(^|\n)\t|^[ \n]/;

/** Whether a multi-line string can be written as a literal block scalar, its lines verbatim. */
export function blockSafe(value: string): boolean {
  return value.includes('\n') && !BLOCK_UNSAFE_CHAR.test(value) && !BLOCK_UNSAFE_SHAPE.test(value) && value.trim() !== '';
}

/**
 * The tag patterns of the `yaml` library's YAML 1.2 core and 1.1 schemas: a plain scalar
 * matching one would be read as something other than a string. Most are covered by
 * `mayReadAsNonString` already; a few 1.1 forms (`.`, `e5`, `0b_`) only by these.
 */
const SCHEMA_TAGS = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^<<$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
];
/** Only text starting like this can match a tag pattern (a quick test before the list). */
const TAG_START = /^(?:[-+.0-9~<NnTtFfYyOoEe]|$)/;

/** Text that is plain unless it is a typed word: a letter or `/` first, then word characters, `.`, `/`, `-`. */
const SIMPLE_PLAIN = /^[A-Za-z_/][\w./-]*$/;
/** The typed words such text can be: YAML 1.1 booleans and nulls in any letter case (Go's resolver ignores case). */
const WORDS = new Set(['null', 'y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false']);
/** The longest of WORDS: longer text is none of them, without lower-casing it (a new string) to look. */
const LONGEST_WORD = 5;
/**
 * An Argo reference such as `{{tasks.t3.outputs.parameters.inc-Output}}`, of which a large
 * workflow holds one or more per task: `{` cannot start a plain scalar, and the characters
 * inside need no escape, so the general path always ends in plain double quotes around it.
 */
const ARGO_REFERENCE = /^\{\{[\w.-]+\}\}$/;

/** Text that starts a YAML 1.1 directive or a document marker when it starts a line. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/** What a plain scalar cannot be or hold (the `yaml` library's test): then it is quoted or a block. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

function escapeNonAscii(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x7f) continue;
    out += text.slice(start, i);
    if (c === 0x7f) out += '\\x7F';
    else {
      const cp = text.codePointAt(i)!;
      if (cp <= 0xffff) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
      else {
        out += '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
        i++;
      }
    }
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/** A double-quoted scalar on one line: JSON's escapes in YAML's shorter forms, then non-ASCII escaped. */
function doubleQuoted(value: string): string {
  const json = JSON.stringify(value);
  if (!json.includes('\\') && !NEEDS_ESCAPE.test(json)) return json;
  let str = '';
  let start = 0;
  for (let i = 0; i < json.length; i++) {
    let ch = json[i];
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // The library escapes a space before a line break (it would be folded in a multi-line form).
      str += json.slice(start, i) + '\\ ';
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch !== '\\') continue;
    if (json[i + 1] === 'u') {
      str += json.slice(start, i);
      const code = json.substr(i + 2, 4);
      const short: Record<string, string> = { '0000': '\\0', '0007': '\\a', '000b': '\\v', '001b': '\\e', '0085': '\\N', '00a0': '\\_', '2028': '\\L', '2029': '\\P' };
      str += short[code] ?? (code.startsWith('00') ? '\\x' + code.slice(2) : json.substr(i, 6));
      i += 5;
      start = i + 1;
    } else {
      i += 1;
    }
  }
  return escapeNonAscii(start ? str + json.slice(start) : json);
}

function singleQuoted(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value);
  const ind = indent || (DOCUMENT_MARKER.test(value) ? '  ' : '');
  return "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${ind}`) + "'";
}

function quoted(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, indent, implicitKey) : doubleQuoted(value);
}

/** A literal block scalar (`|`, `|-`, `|+`) of a `blockSafe` string, its content lines at `indent`. */
function literalBlock(value: string, indent: string): string {
  let endStart = value.length;
  while (endStart > 0 && value[endStart - 1] === '\n') endStart--;
  let end = value.substring(endStart);
  // Strip (`-`) without a final line break, clip (``) with one, keep (`+`) with more.
  const chomp = end === '' ? '-' : end.length === 1 ? '' : '+';
  let body = value.substring(0, endStart);
  if (end) end = end.slice(0, -1).replace(/\n+(?!\n|$)/g, `$&${indent}`);
  body = body.replace(/\n+/g, `$&${indent}`);
  return `|${chomp}\n${indent}${body}${end}`;
}

/**
 * A string as a scalar: `indent` is where its continuation lines start (the library's
 * context indent), `implicitKey` whether it is a mapping key.
 */
export function stringScalar(value: string, indent: string, implicitKey: boolean): string {
  // Most strings are names and paths: plain unless they are one of the typed words (`on`, `null`, `e5`).
  if (SIMPLE_PLAIN.test(value)) {
    const typed = (value.length <= LONGEST_WORD && WORDS.has(value.toLowerCase())) || ((value[0] === 'e' || value[0] === 'E') && /^[eE]-?[0-9]+$/.test(value));
    return typed ? doubleQuoted(value) : value;
  }
  if (ARGO_REFERENCE.test(value)) return '"' + value + '"';
  if (LONE_SURROGATE.test(value)) throw new UnwritableString(`a lone surrogate cannot be written as YAML: ${JSON.stringify(value.slice(0, 40))}`);
  const multiLine = value.includes('\n');
  if (value === '=' || mayReadAsNonString(value)) return doubleQuoted(value);
  if (multiLine && !implicitKey) return blockSafe(value) ? literalBlock(value, indent) : doubleQuoted(value);
  if (NEEDS_ESCAPE.test(value)) return doubleQuoted(value);
  if (multiLine || NOT_PLAIN.test(value)) return quoted(value, indent, implicitKey);
  if (implicitKey && indent === '  ' && DOCUMENT_MARKER.test(value)) return quoted(value, indent, implicitKey);
  if (TAG_START.test(value) && SCHEMA_TAGS.some((re) => re.test(value))) return quoted(value, indent, implicitKey);
  return value;
}

/** A scalar of any JSON type (null, boolean, number or string). */
export function scalar(value: unknown, indent: string, implicitKey = false): string {
  if (typeof value === 'string') return stringScalar(value, indent, implicitKey);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value < 0 ? '-.inf' : '.inf';
    return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  }
  if (typeof value === 'bigint') return String(value);
  throw new TypeError(`not a scalar: ${typeof value}`);
}
