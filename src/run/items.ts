/**
 * Loop expansion of a DAG task: `withItems` (a list), `withParam` (a JSON list, after
 * substitution) or `withSequence`, and the `{{item}}` / `{{item.key}}` values of one item.
 */
import { scalarText } from './naming.js';
import { intOrString, isObj, obj, str, type Obj } from './spec.js';
import type { Lookup } from './substitute.js';

export const expands = (task: Obj): boolean => task['withItems'] !== undefined || task['withParam'] !== undefined || task['withSequence'] !== undefined;

export function expandItems(task: Obj): { items: unknown[] } | { error: string } {
  let items: unknown[];
  if (task['withItems'] !== undefined) {
    if (!Array.isArray(task['withItems'])) return { error: 'withItems is not a list' };
    items = task['withItems'];
  } else if (task['withParam'] !== undefined) {
    const text = str(task['withParam']) ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) return { error: `withParam value could not be parsed as a JSON list: ${text.trim()}` };
    items = parsed;
  } else {
    const seq = sequence(obj(task['withSequence']));
    if ('error' in seq) return seq;
    items = seq.items;
  }
  const bad = items.findIndex((i) => i === null || i === undefined);
  if (bad >= 0) return { error: `withItems[${bad}] expected string, number, list, or map. received: null` };
  return { items };
}

function sequence(seq: Obj): { items: unknown[] } | { error: string } {
  const start = intOrString(seq['start']) ?? 0;
  const count = intOrString(seq['count']);
  const end = intOrString(seq['end']) ?? (count !== undefined ? start + count - 1 : undefined);
  if (end === undefined) return { error: 'neither end nor count was specified in withSequence' };
  const format = str(seq['format']);
  const items: unknown[] = [];
  const step = start <= end ? 1 : -1;
  for (let i = start; step > 0 ? i <= end : i >= end; i += step) items.push(format ? printfInt(format, i) : i);
  return { items };
}

/** Go's `%d` / `%0Nd` / `%Nd` in a withSequence format. */
function printfInt(format: string, n: number): string {
  return format.replace(/%(0?)(\d*)d/g, (_, zero: string, width: string) => String(n).padStart(Number(width || 0), zero ? '0' : ' '));
}

/** `{{item}}`: the item itself (maps and lists as JSON); `{{item.key}}`: a field of a map item. */
export function itemLookup(item: unknown): Lookup {
  return (key) => {
    if (key === 'item') return scalarText(item);
    if (key.startsWith('item.') && isObj(item)) {
      const field = key.slice('item.'.length);
      const v = Object.hasOwn(item, field) ? item[field] : undefined; // not `constructor` from the prototype
      return v === undefined ? undefined : scalarText(v);
    }
    return undefined;
  };
}
