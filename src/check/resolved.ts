/** What a reference in a pipeline resolves to, shared by the pipeline, condition and volume checks. */
import type * as ast from '../syntax/ast.js';
import type { IrValue } from '../ir/ir.js';
import type { ValueType } from './types.js';

/**
 * `returned`: the value is what a Python component's function returned (`-> int`), passed as it
 * is (not collected from a loop). Container and imported components write every output to a
 * file, whatever its type; a Python component returns values and writes only its `file` outputs.
 */
export type Resolved = { value: IrValue; type: ValueType; producer?: string; returned?: boolean };

/** Resolves `name`, `task.output` or `item.field` where it is written (loops and exit handler included). */
export type RefResolver = (e: ast.RefExpr) => Resolved | undefined;

/** Outputs that go to the KFP UI rather than to other tasks (kfp removes them from task.outputs). */
export function isUiOutput(type: string): boolean {
  return type === 'metrics' || type === 'ui_metadata';
}

export function isNumeric(t: ValueType): boolean {
  return t === 'int' || t === 'float';
}
