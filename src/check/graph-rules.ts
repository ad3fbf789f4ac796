/**
 * What kfp checks in a graph component (src/check/graph-components.ts builds it): declared types
 * that must agree, constants that must be values of their input's type, tasks that must not wait
 * for each other in a cycle; and what a task's `executionOptions` become.
 */
import type { IrTaskSettings } from '../ir/ir.js';
import { primitiveType } from './check-import.js';
import { assignable } from './types.js';

export type Path = readonly (string | number)[];

export interface GraphTaskOptions {
  executionOptions?: { retryStrategy?: { maxRetries?: number }; cachingStrategy?: { maxCacheStaleness?: string } };
}

/** A task's executionOptions as .kfp task settings: kfp's retry count and cache staleness. */
export function taskSettings(t: GraphTaskOptions): IrTaskSettings {
  const o = t.executionOptions;
  const retries = o?.retryStrategy?.maxRetries;
  const staleness = o?.cachingStrategy?.maxCacheStaleness;
  return {
    ...(typeof retries === 'number' ? { retry: { limit: retries } } : {}),
    ...(typeof staleness === 'string' ? { maxCacheStaleness: staleness } : {}),
  };
}

/** Whether kfp would let a value of declared type `from` into an input of declared type `to` (an undeclared one takes anything). */
export function typesFit(from: unknown, to: unknown): boolean {
  if (from === undefined || to === undefined) return true;
  const a = primitiveType(from);
  const b = primitiveType(to);
  if (a && b) return assignable(a, b);
  return JSON.stringify(from) === JSON.stringify(to);
}

/** A constant argument (always text in a graph) against a primitive input type. */
export function constantFits(text: string, to: unknown): boolean {
  switch (primitiveType(to)) {
    case 'int':
      return /^[-+]?\d+$/.test(text.trim());
    case 'float':
      return text.trim() !== '' && !Number.isNaN(Number(text));
    case 'bool':
      return /^(true|false|True|False)$/.test(text.trim());
    case 'list':
    case 'dict':
      try {
        const v = JSON.parse(text) as unknown;
        return primitiveType(to) === 'list' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
      } catch {
        return false;
      }
    default:
      return true;
  }
}

/** The tasks in an order where each comes after those it takes outputs from (YAML order otherwise); cycles reported once each. */
export function topological(keys: readonly string[], edges: ReadonlyMap<string, readonly { to: string; path: Path }[]>, onCycle: (cycle: string[], path: Path) => void): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (k: string): void => {
    state.set(k, 'visiting');
    stack.push(k);
    for (const e of edges.get(k) ?? []) {
      const s = state.get(e.to);
      if (s === 'visiting') onCycle([...stack.slice(stack.indexOf(e.to)), e.to], e.path);
      else if (s === undefined && keys.includes(e.to)) visit(e.to);
    }
    stack.pop();
    state.set(k, 'done');
    out.push(k);
  };
  for (const k of keys) if (!state.has(k)) visit(k);
  return out;
}
