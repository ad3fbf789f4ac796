/**
 * The reference the YAML writer (src/emit/yaml.ts, src/emit/scalar.ts) is tested against:
 * how kfpdsl wrote YAML before the writer was ported out of the `yaml` library, through
 * its document model with YAML 1.1-compatible quoting. For every string but a multi-line
 * one holding non-ASCII text or an unsafe line shape (which the writer now keeps readable
 * as a block scalar, or double-quotes), both must give the same bytes.
 */
import YAML, { Scalar } from 'yaml';
import { mayReadAsNonString } from '../../src/emit/typed-lookalikes.js';

const NON_ASCII = /[^\x00-\x7f]/;
const NEEDS_ESCAPE = /[^\t\n\x20-\x7e]/;
const LONE_SURROGATE = /\p{Cs}/u;

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

export function referenceToYaml(value: unknown): string {
  const doc = new YAML.Document(value, { compat: 'yaml-1.1', aliasDuplicateObjects: false });
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      if (LONE_SURROGATE.test(node.value)) throw new Error('lone surrogate');
      if (node.value === '=' || NEEDS_ESCAPE.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
      else if (mayReadAsNonString(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: false, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER });
  return NON_ASCII.test(text) || text.includes('\x7f') ? escapeNonAscii(text) : text;
}
