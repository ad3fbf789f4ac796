/**
 * The one place YAML text is produced and read. Output is normalised by the `yaml`
 * library with YAML 1.1-compatible quoting, so that Go's yaml.v2 (Argo, kubectl, the KFP
 * API server) and PyYAML (the kfp SDK) read every string as a string: `on`, `yes`, `0755`,
 * `1_000` stay quoted, and so do the forms only Go's resolver knows (`0X1F`, `0B101`,
 * `0O17`: see typed-lookalikes.ts); a bare `=` (which PyYAML cannot load) is forced into
 * quotes. Output is pure printable ASCII: every string holding other characters (non-ASCII
 * text such as Korean comments in Python code, control characters, DEL) is double-quoted
 * with escapes, because Go rejects raw control characters in a file and the escapes
 * survive any upload path, parsing back to exactly the same value. A lone UTF-16
 * surrogate cannot be written at all (no UTF-8 and no YAML escape holds one): the checker
 * refuses it at its source, and toYaml throws if one gets this far.
 */
import YAML, { Scalar } from 'yaml';
import { mayReadAsNonString } from './typed-lookalikes.js';

const NON_ASCII = /[^\x00-\x7f]/;
/** What the text may hold only escaped: C0 controls but tab and newline, DEL, and everything past ASCII. */
const NEEDS_ESCAPE = /[^\t\n\x20-\x7e]/;
const LONE_SURROGATE = /\p{Cs}/u;

export class UnwritableString extends Error {}

function escapeNonAscii(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x7f) out += '\\x7F';
    else if (cp < 0x80) out += ch;
    else if (cp <= 0xffff) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else out += '\\U' + cp.toString(16).toUpperCase().padStart(8, '0');
  }
  return out;
}

/** YAML text of a value, deterministic and portable (see the module comment). */
export function toYaml(value: unknown): string {
  const doc = new YAML.Document(value, { compat: 'yaml-1.1', aliasDuplicateObjects: false });
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      // The yaml library would write `\ud800`, an escape Go refuses ("invalid Unicode character escape code").
      if (LONE_SURROGATE.test(node.value)) throw new UnwritableString(`a lone surrogate cannot be written as YAML: ${JSON.stringify(node.value.slice(0, 40))}`);
      if (node.value === '=' || NEEDS_ESCAPE.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
      else if (mayReadAsNonString(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: false, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER });
  // Only double-quoted scalars can hold DEL or non-ASCII characters at this point (forced above), and `\x`/`\u`/`\U` escapes are valid in them.
  return NON_ASCII.test(text) || text.includes('\x7f') ? escapeNonAscii(text) : text;
}

export interface ParsedYaml {
  readonly value?: unknown;
  readonly error?: { message: string; line?: number; column?: number };
}

/** Reads YAML as Go and PyYAML would (YAML 1.1), safely: no merge keys, few aliases, unique keys. */
export function parseYaml(text: string, version: '1.1' | '1.2' = '1.1'): ParsedYaml {
  try {
    const doc = YAML.parseDocument(text, { version, merge: false, uniqueKeys: true, prettyErrors: false, strict: true });
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const pos = e.linePos?.[0];
      return { error: { message: e.message.split('\n')[0]!, ...(pos ? { line: pos.line, column: pos.col } : {}) } };
    }
    return { value: doc.toJS({ maxAliasCount: 50 }) };
  } catch (e) {
    return { error: { message: e instanceof Error ? e.message : String(e) } };
  }
}
