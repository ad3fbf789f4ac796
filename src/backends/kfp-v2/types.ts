/**
 * The KFP v2 pipeline spec's vocabulary for .kfp types (pipeline_spec.proto:
 * `ParameterType.ParameterTypeEnum`, `ArtifactTypeSchema`). A `file` is a `system.Artifact`;
 * `metrics` is a `system.Metrics` artifact holding the same JSON file the v1 target writes
 * (KFP v2's UI lists it as an artifact; its scalar-metrics view reads metadata that only the
 * `kfp` SDK logs). `ui_metadata` (kfp v1's output viewers) has no v2 form: the backend
 * refuses it.
 */
import type { IrComponent, IrType } from '../../ir/ir.js';

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

/** The artifact type of a port that is not a parameter. */
export function artifactType(t: IrType): { schemaTitle: string; schemaVersion: string } {
  return t === 'metrics' ? { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' } : { ...FILE_ARTIFACT_TYPE };
}

/**
 * A port's name in the v2 spec. A .kfp component's ports are identifiers already; an
 * imported kfp v1 component.yaml names them freely (`Text file`), and KFP v2 sanitises
 * such names when it loads one (`text_file`, kfp's `sanitize_input_name`).
 */
export function v2PortName(c: IrComponent, name: string): string {
  if (c.impl.kind !== 'imported') return name;
  return name.toLowerCase().replace(/[^_0-9a-z]+/g, '_').replace(/^_+|_+$/g, '');
}

/** The Python type name KFP prints in the YAML's header comment (`#    msg: str`). */
export function pythonTypeName(t: IrType): string {
  return t === 'dict' ? 'dict' : t;
}
