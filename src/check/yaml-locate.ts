/**
 * Where in an imported component.yaml a diagnostic points: paths into the parsed document (as
 * JSON pointers give them, or as lists of keys), the key or the value at a path.
 */
import YAML, { isMap, isNode, isScalar } from 'yaml';
import type { Path } from './graph-rules.js';

/** A node of `doc` at a JSON path: its offset, or its nearest ancestor's. */
export function yamlOffset(doc: YAML.Document, parts: Path): number {
  for (let n = parts.length; n >= 0; n--) {
    const node = doc.getIn(parts.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

/** A JSON pointer (`/inputs/0`) as a path into the YAML document. */
export const jsonPointer = (p: string): (string | number)[] => p.split('/').slice(1).map((x) => (/^\d+$/.test(x) ? Number(x) : x.replace(/~1/g, '/').replace(/~0/g, '~')));

/**
 * What a diagnostic underlines: the key `key` of the mapping at `path` (a misspelt name), else
 * the node at `path` when it fits on one line (`{url: …}`), else its first word.
 */
export function yamlSpan(doc: YAML.Document, text: string, path: Path, key?: string): { start: number; end: number } {
  const target = key !== undefined ? keyNode(doc, path, key) : doc.getIn(path, true);
  if (isNode(target) && target.range) {
    const [start, end] = target.range;
    if (end > start && !text.slice(start, end).includes('\n')) return { start, end };
  }
  const start = yamlOffset(doc, path);
  const m = /^("[^"\n]*"|'[^'\n]*'|[^\s:,{}[\]]+)/.exec(text.slice(start, start + 200));
  return { start, end: Math.min(text.length, start + (m ? m[0].length : 1)) };
}

function keyNode(doc: YAML.Document, path: Path, key: string): unknown {
  const map = doc.getIn(path, true);
  if (!isMap(map)) return undefined;
  return map.items.find((it) => isScalar(it.key) && it.key.value === key)?.key;
}
