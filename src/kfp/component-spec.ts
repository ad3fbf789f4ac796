/**
 * The kfp v1 component.yaml model (kfp/components/_structures.py), as plain data.
 * Field order here is the order kfp writes them: name, description, metadata,
 * inputs, outputs, implementation.
 */

/** The kfp type names kfpdsl emits; loaded component.yaml files may use any other name (`CSV`, `Model`...). */
export type KfpTypeName = 'String' | 'Integer' | 'Float' | 'Boolean' | 'JsonArray' | 'JsonObject' | (string & {});

export interface InputSpec {
  name: string;
  type?: KfpTypeName | Record<string, unknown>;
  description?: string;
  /** kfp serializes defaults as strings: '5', '1.5', 'False', '[1, 2]'. */
  default?: string;
  optional?: boolean;
}

export interface OutputSpec {
  name: string;
  type?: KfpTypeName | Record<string, unknown>;
  description?: string;
}

export type Placeholder =
  | string
  | { inputValue: string }
  | { inputPath: string }
  | { outputPath: string }
  | { concat: Placeholder[] }
  | { if: { cond: Placeholder | { isPresent: string }; then: Placeholder[] | Placeholder; else?: Placeholder[] | Placeholder } }
  | { isPresent: string };

export interface ContainerSpec {
  image: string;
  command?: Placeholder[];
  args?: Placeholder[];
  env?: Record<string, string>;
  fileOutputs?: Record<string, string>;
}

export interface ComponentSpec {
  name: string;
  description?: string;
  metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
  inputs?: InputSpec[];
  outputs?: OutputSpec[];
  implementation: { container: ContainerSpec };
}
