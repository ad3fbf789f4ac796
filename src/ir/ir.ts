/**
 * The intermediate representation: a resolved, checked program with no syntax left.
 * It is plain JSON data (validated against schemas/kfp-ir.schema.json) so that the
 * boundary between the front end and the lowering is explicit and testable.
 * Names here are final: task and group names are already sanitised and unique.
 */

export type IrType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'file' | 'metrics' | 'ui_metadata';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A literal as written: `isFloat` keeps `1.0` distinct from `1` (kfp serializes them differently). */
export interface IrConst {
  const: Json;
  isFloat?: boolean;
}

export interface IrPort {
  name: string;
  type: IrType;
  /** The kfp type name for imported components (`CSV`, `Model`…); absent means derive from `type`. */
  kfpType?: string;
  optional: boolean;
  default?: IrConst;
  description?: string;
}

export interface IrSpan {
  start: number;
  end: number;
}

export interface IrPythonImpl {
  kind: 'python';
  image: string;
  packages: string[];
  body: string;
  singleReturn: boolean;
}

export interface IrComponent {
  /** The .kfp name (a Python identifier). */
  name: string;
  description?: string;
  inputs: IrPort[];
  outputs: IrPort[];
  impl: IrPythonImpl;
  origin: IrSpan;
}

/** Where a task argument's value comes from. */
export type IrValue =
  | IrConst
  | { param: string }
  | { output: { task: string; name: string } };

export interface IrTask {
  kind: 'task';
  /** The Argo task name: sanitised, lower-case, unique in the pipeline. */
  name: string;
  component: string;
  args: { [input: string]: IrValue };
  after: string[];
  origin: IrSpan;
}

export type IrNode = IrTask;

export interface IrParam {
  name: string;
  type: IrType;
  default?: IrConst;
}

export interface IrPipeline {
  /** As the user wrote it: shown in the KFP UI. */
  displayName: string;
  /** Sanitised for Kubernetes: the entrypoint template and generateName. */
  name: string;
  description?: string;
  params: IrParam[];
  body: IrNode[];
  origin: IrSpan;
}

export interface IrProgram {
  components: IrComponent[];
  pipelines: IrPipeline[];
}
