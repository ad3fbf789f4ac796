/** The types of the .kfp language and which values fit which inputs. */
import type { IrComponent, IrType } from '../ir/ir.js';

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
 *
 * A file is not a value: a `file` output does not fit a value input (the consumer would get
 * the file's contents as a string, whatever its declared type). A value does fit a `file`
 * input, as in kfp: a constant, a pipeline parameter or a loop item is written into the file
 * (a raw artifact), and a container's typed output already is a file its command wrote. A
 * value a Python component returned is held to more (check-pipeline.ts `returnedValueToFile`).
 */
export function assignable(from: ValueType, to: IrType): boolean {
  if (from === 'any') return true;
  if (from === to) return true;
  if (from === 'int' && to === 'float') return true;
  if (to === 'file') return from !== 'metrics' && from !== 'ui_metadata';
  return false;
}

export function describeType(t: ValueType): string {
  return t === 'any' ? 'untyped' : t;
}

/**
 * An input or output of an imported component.yaml that declares no `type`: kfp's type checker
 * lets anything through one (the value is passed as text, or the file as it is), so kfpdsl does too.
 */
export function isUntypedImportedPort(c: IrComponent, side: 'inputs' | 'outputs', name: string): boolean {
  if (c.impl.kind !== 'imported') return false;
  const ports = c.impl.spec[side];
  if (!Array.isArray(ports)) return false;
  const port = ports.find((p) => typeof p === 'object' && p !== null && !Array.isArray(p) && p['name'] === name);
  return port !== undefined && typeof port === 'object' && port !== null && !Array.isArray(port) && port['type'] === undefined;
}
