/**
 * The one place YAML text is produced and read. Output is normalised by the `yaml`
 * library with YAML 1.1-compatible quoting, so that Go's yaml.v2 (Argo, kubectl) and
 * PyYAML (the kfp SDK) read every string as a string: `on`, `yes`, `0755`, `1_000`
 * stay quoted, and a bare `=` (which PyYAML cannot load) is forced into quotes. Output
 * is pure ASCII: every string holding other characters is double-quoted with `\u`
 * escapes, so non-ASCII text (Korean comments in Python code, say) survives any
 * upload path and parses back to exactly the same value.
 */
import YAML, { Scalar } from 'yaml';

const NON_ASCII = /[^\x00-\x7f]/;

function escapeNonAscii(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
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
      if (node.value === '=' || NON_ASCII.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: false, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER });
  // Only double-quoted scalars can hold non-ASCII characters at this point (forced above), and `\u`/`\U` escapes are valid in them.
  return NON_ASCII.test(text) ? escapeNonAscii(text) : text;
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
