/** The IR boundary: what the checks hand to the lowering must satisfy schemas/kfp-ir.schema.json. */
import { irSchemaErrors } from '../schema/validators.js';
import type { IrProgram } from './ir.js';

export function validateIrProgram(program: IrProgram): string[] {
  return irSchemaErrors(program);
}
