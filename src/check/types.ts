/** The types of the .kfp language and which values fit which inputs. */
import type { IrType } from '../ir/ir.js';

export const VALUE_TYPES = ['int', 'float', 'str', 'bool', 'list', 'dict'] as const;
export const PARAM_TYPES: readonly string[] = VALUE_TYPES;
export const INPUT_TYPES: readonly string[] = [...VALUE_TYPES, 'file'];
export const OUTPUT_TYPES: readonly string[] = [...VALUE_TYPES, 'file', 'metrics', 'ui_metadata'];

/** The type of a value flowing in the pipeline: `null` is the `null` literal, `any` is unknown (untyped file). */
export type ValueType = IrType | 'null' | 'any';

/**
 * Whether a value of type `from` may be passed to an input of type `to`. Stricter than
 * kfp's run time (which passes strings through) and as strict as its type checker,
 * with one widening: an int fits a float input, as Python's float() accepts it.
 */
export function assignable(from: ValueType, to: IrType): boolean {
  if (from === 'any' || to === 'file') return true;
  if (from === to) return true;
  if (from === 'int' && to === 'float') return true;
  if (from === 'file') return true; // an untyped file output is read as text by the consumer, as kfp does
  return false;
}

export function describeType(t: ValueType): string {
  return t === 'any' ? 'untyped' : t;
}
