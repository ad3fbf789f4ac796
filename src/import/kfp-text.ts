/** Writing `.kfp` literals and names: the pieces every part of `kfpdsl import` prints with. */

const KEYWORDS = new Set(['component', 'pipeline', 'import', 'as', 'after', 'if', 'elif', 'else', 'for', 'in', 'finally', 'and', 'or', 'not', 'true', 'false', 'null', 'parallelism']);
// Python keywords too: input and output names become Python names in the generated program.
const PYTHON_KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']);

/** `Text file` → `text_file`, `2nd` → `n_2nd`, `class` → `class_`: a name kfpdsl and Python accept. */
export function identifier(name: string): string {
  let id = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_');
  if (id === '') id = 'value';
  if (/^[0-9]/.test(id)) id = `n_${id}`;
  if (KEYWORDS.has(id) || PYTHON_KEYWORDS.has(id)) id = `${id}_`;
  return id;
}

/** Like identifier() but keeps a name that is already valid as it is (`Output`, `flag`). */
export function keepOrIdentifier(name: string): string {
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name) && !PYTHON_KEYWORDS.has(name)) return name;
  return identifier(name);
}

/** Makes names unique in order of first use: the second `out` becomes `out_2`. */
export class NameTable {
  private readonly used = new Set<string>();
  private readonly byKey = new Map<string, string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }
  name(key: string, wanted: string): string {
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    let n = wanted;
    for (let i = 2; this.used.has(n); i++) n = `${wanted}_${i}`;
    this.used.add(n);
    this.byKey.set(key, n);
    return n;
  }
  get(key: string): string | undefined {
    return this.byKey.get(key);
  }
}

/**
 * What JSON.stringify leaves raw but a `.kfp` file should not hold raw: DEL and the C1
 * controls (NEL is a line break to some editors), the soft hyphen, LS/PS (line breaks to
 * the .kfp lexer), the BOM and the non-characters, all invisible in an editor.
 */
const INVISIBLE = /[\u007f-\u009f\u00ad\u2028\u2029\ufeff\ufffe\uffff]/g;

/** A `.kfp` string literal (JSON escapes, and `\uXXXX` for what would be invisible), which reads back as `text`. */
export function str(text: string): string {
  return JSON.stringify(text).replace(INVISIBLE, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !KEYWORDS.has(k) ? k : str(k);
}

/** A JSON value as a `.kfp` literal. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return str(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? (Number.isInteger(value) && !Object.is(value, -0) ? String(value) : formatFloat(value)) : str(String(value));
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${key(k)}: ${literal(v)}`).join(', ')} }`;
  return str(String(value));
}

function formatFloat(n: number): string {
  const s = String(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** A `"""…"""` description, or undefined when the text cannot be one (it holds `"""`). */
export function description(text: string): string | undefined {
  const t = text.trim();
  if (t === '' || t.includes('"""') || t.endsWith('"')) return undefined;
  return `"""${t}"""`;
}

/**
 * A description as the docstring item of a component or pipeline, or, when no `"""…"""` can
 * hold it (it holds `"""`, ends with `"`, or is not text), a not-translated comment made by
 * `lost` (which records the warning): said, never dropped.
 */
export function descriptionItem(indent: string, d: unknown, lost: (what: string) => string): string | undefined {
  if (d === undefined || d === null || (typeof d === 'string' && d.trim() === '')) return undefined;
  const doc = typeof d === 'string' ? description(d) : undefined;
  if (doc) return indent + doc;
  return notTranslated(indent, lost(typeof d === 'string' ? 'a description holding `"""` or ending with `"`, which a `"""…"""` docstring cannot hold' : 'a description that is not text'));
}

/** A ``` fence holding code, or undefined when the code holds a line that would close it. */
export function fence(lang: string, code: string, indent: string): string | undefined {
  const lines = code.replace(/\s+$/, '').split('\n');
  if (lines.some((l) => l.trim().startsWith('```'))) return undefined;
  return [`${indent}\`\`\`${lang}`, ...lines.map((l) => (l.trim() === '' ? '' : indent + l)), `${indent}\`\`\``].join('\n');
}

/** A comment line (or lines) saying what was not translated; the text never breaks out of the comment. */
export function notTranslated(indent: string, what: string): string {
  return what
    .split(/\r\n|[\n\r\u2028\u2029]/)
    .map((l, i) => `${indent}# ${i === 0 ? 'kfpdsl import: not translated: ' : '  '}${l}`)
    .join('\n');
}
