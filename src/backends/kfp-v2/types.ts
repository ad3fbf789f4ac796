/**
 * The KFP v2 pipeline spec's vocabulary for .kfp types (pipeline_spec.proto:
 * `ParameterType.ParameterTypeEnum`, `ArtifactTypeSchema`). `metrics` and `ui_metadata`
 * have no v2 form yet (v2's `system.Metrics` is an artifact the SDK logs into, not a JSON
 * file): the backend refuses them.
 */
import type { IrType } from '../../ir/ir.js';

export type ParameterType = 'STRING' | 'NUMBER_INTEGER' | 'NUMBER_DOUBLE' | 'BOOLEAN' | 'LIST' | 'STRUCT';

const PARAMETER_TYPES: Partial<Record<IrType, ParameterType>> = {
  int: 'NUMBER_INTEGER',
  float: 'NUMBER_DOUBLE',
  str: 'STRING',
  bool: 'BOOLEAN',
  list: 'LIST',
  dict: 'STRUCT',
};

/** The parameter type of a value type; undefined for files (artifacts) and UI outputs. */
export function parameterType(t: IrType): ParameterType | undefined {
  return PARAMETER_TYPES[t];
}

/** How a `file` travels in v2: an untyped artifact, as `Input[Artifact]`/`Output[Artifact]` declare. */
export const FILE_ARTIFACT_TYPE = { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } as const;

/** The Python type name KFP prints in the YAML's header comment (`#    msg: str`). */
export function pythonTypeName(t: IrType): string {
  return t === 'dict' ? 'dict' : t;
}
