/**
 * The one place YAML text is produced and read. Writing is a direct walk over plain data
 * (block mappings and sequences, `[]`/`{}` when empty, sequences not indented under their
 * key, as kfp writes them), with each scalar written by src/emit/scalar.ts: strings stay
 * strings for Go's yaml.v2 and PyYAML, multi-line text is a readable literal block where
 * that is safe, anything else past printable ASCII is escaped in double quotes. The
 * templates (src/lower/templates/*.hbs) write the document's frame and comments and call
 * `yamlValue`/`yamlItem` for each subtree, so the text they produce is the text written.
 */
import YAML from 'yaml';
import { scalar, stringScalar } from './scalar.js';

export { UnwritableString } from './scalar.js';

const STEP = '  ';

function isCollection(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function isEmpty(v: object): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if ((v as Record<string, unknown>)[k] !== undefined && Object.hasOwn(v, k)) return false;
  return true;
}

/** A non-empty block collection: its first line at the cursor, the others at `indent`. */
function collection(v: object, indent: string): string {
  let out = '';
  if (Array.isArray(v)) {
    // An indexed loop and one inner indentation: this runs for every list of a large workflow,
    // mostly before V8 optimises it, where an iterator and a new string per item cost.
    const inner = indent + STEP;
    for (let i = 0; i < v.length; i++) out += (i > 0 ? '\n' + indent : '') + '- ' + node(v[i], inner);
    return out;
  }
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    const value = rec[k];
    if (value === undefined) continue;
    out += (out ? '\n' + indent : '') + pair(k, value, indent);
  }
  return out;
}

/** A value where a node starts (after `- `): a collection's first line, or a scalar. */
function node(v: unknown, indent: string): string {
  if (!isCollection(v)) return scalar(v, indent);
  if (isEmpty(v)) return Array.isArray(v) ? '[]' : '{}';
  return collection(v, indent);
}

/**
 * Keys already written, for keys that are plain names (`name`, `template`, `parameters`…): a
 * workflow repeats a few dozen of them thousands of times, and such a key is written alike at
 * every indentation. Bounded, since keys may be user text (labels, annotations).
 */
const plainKeys = new Map<string, string>();
const PLAIN_KEY = /^[A-Za-z_][\w.-]*$/;

function keyScalar(key: string, inner: string): string {
  const known = plainKeys.get(key);
  if (known !== undefined) return known;
  const k = stringScalar(key, inner, true);
  // Only a key that is written as it is (never quoted, so never shaped by the indentation) is kept.
  if (k === key && plainKeys.size < 4096 && PLAIN_KEY.test(key)) plainKeys.set(key, k);
  return k;
}

/** `key: value` of a mapping at `indent`. */
function pair(key: string, value: unknown, indent: string): string {
  const inner = indent + STEP;
  const k = keyScalar(key, inner);
  // A key over 1,024 characters cannot be implicit: `? key` then `: value`.
  const head = k.length > 1024 ? `? ${k}\n${indent}:` : `${k}:`;
  return head + valueAfterKey(value, indent, k.length > 1024);
}

/** What follows `key:` for a key at `indent`: ` scalar`, or a line break and a block collection. */
function valueAfterKey(value: unknown, indent: string, explicitKey = false): string {
  const inner = indent + STEP;
  if (typeof value === 'string') return ' ' + stringScalar(value, inner, false);
  if (!isCollection(value)) return ' ' + scalar(value, inner);
  if (isEmpty(value)) return Array.isArray(value) ? ' []' : ' {}';
  if (explicitKey) return ' ' + collection(value, inner);
  // Sequences sit at their key's indentation (kfp's style, `indentSeq: false`).
  const at = Array.isArray(value) ? indent : inner;
  return '\n' + at + collection(value, at);
}

/** YAML text of a value, deterministic and portable (see the module comment). */
export function toYaml(value: unknown): string {
  return node(value, '') + '\n';
}

/** For templates: what follows `key:` for a key at `indent` (a space and a scalar, or the block below it). */
export function yamlValue(value: unknown, indent: string): string {
  return valueAfterKey(value, indent);
}

/** For templates: a sequence item's node after `- `, when the `-` is at `indent`. */
export function yamlItem(value: unknown, indent: string): string {
  return node(value, indent + STEP);
}

/** For templates: a mapping key. */
export function yamlKey(key: string, indent: string): string {
  return stringScalar(key, indent + STEP, true);
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
