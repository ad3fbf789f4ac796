/**
 * The intermediate representation: a resolved, checked program with no syntax left.
 * It is plain JSON data (validated against schemas/kfp-ir.schema.json) so that the
 * boundary between the front end and the backends is explicit and testable.
 *
 * It is target-neutral: it keeps the program's structure as written (an `if` with its
 * `elif`/`else` arms, loops, the `finally` block) and names tasks by neutral ids (the
 * binding, or the component's name, unique in the pipeline, never sanitised for a
 * cluster). Each backend (src/backends/) allocates its own names and decides its shapes:
 * the KFP v1 backend turns arms into complementary `when`s and numbers `condition-N`.
 * That schema is generated from these types (npm run generate: scripts/gen-ir-schema.mjs):
 * JSDoc here becomes its descriptions, and tags (`@pattern`, `@minimum`, `@asType integer`…)
 * its constraints.
 */

/** A value's type in .kfp. */
export type IrType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'file' | 'metrics' | 'ui_metadata';

/**
 * A node's neutral id: the binding or the callee's name, made unique in the pipeline with
 * `-2`, `-3`… (which no binding can spell). Never sanitised for a cluster.
 * @pattern ^[A-Za-z_][A-Za-z0-9_]*(-[0-9]+)?$
 */
export type IrNodeId = string;

/**
 * A name as .kfp binds it (`t = …`, a loop variable).
 * @pattern ^[A-Za-z_][A-Za-z0-9_]*$
 */
export type IrBinding = string;

/**
 * A Python identifier as .kfp writes it (component names, argument names).
 * @pattern ^[A-Za-z][A-Za-z0-9_]*$
 * @maxLength 128
 */
export type IrIdentifier = string;

/** Any JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * An empty object without a prototype, for maps keyed by user text (dict literals,
 * records, env, labels…): in it `__proto__`, `constructor` and `prototype` are keys like
 * any other, where a plain `{}` would swallow `__proto__` as its prototype.
 */
export function keyedObject<T>(): { [key: string]: T } {
  return Object.create(null) as { [key: string]: T };
}

/** A literal as written: `isFloat` keeps `1.0` distinct from `1` (kfp serializes them differently). */
export interface IrConst {
  const: Json;
  isFloat?: boolean;
}

export interface IrPort {
  /** @minLength 1 */
  name: string;
  /** How .kfp refers to it when `name` is not an identifier (imported `Input 1` → `input_1`). */
  argName?: IrIdentifier;
  type: IrType;
  /** The kfp type name for imported components (`CSV`, `Model`…); absent means derive from `type`. */
  kfpType?: string;
  optional: boolean;
  default?: IrConst;
  description?: string;
}

/** Offsets into the .kfp source text. */
export interface IrSpan {
  /** @asType integer @minimum 0 */
  start: number;
  /** @asType integer @minimum 0 */
  end: number;
  /** The file the offsets point into, as diagnostics name it (a component from a .kfp module names the module); absent: the program's source. */
  file?: string;
}

export interface IrPythonImpl {
  kind: 'python';
  /** @minLength 1 */
  image: string;
  packages: string[];
  body: string;
  /**
   * The 1-based .kfp line of the body's first line (the line after the opening fence).
   * @asType integer
   * @minimum 1
   */
  bodyLine: number;
  singleReturn: boolean;
}

/** A command-line item of a container component: text, an input or output, or kfp's concat / if-present. */
export type IrCmdItem =
  | string
  | { input: string }
  | { output: string }
  | { concat: IrCmdItem[] }
  | { ifPresent: string; then: IrCmdItem[]; else: IrCmdItem[] };

export interface IrContainerImpl {
  kind: 'container';
  /** @minLength 1 */
  image: string;
  command: IrCmdItem[];
  args: IrCmdItem[];
  env: { [name: string]: string };
}

/** A component loaded from a kfp v1 component.yaml: its spec is used as it is. */
export interface IrImportedImpl {
  kind: 'imported';
  /** The parsed component.yaml (kfp's ComponentSpec), validated. */
  spec: { [key: string]: Json };
  url: string;
  /** sha256 of the file, in hex. @pattern ^[0-9a-f]{64}$ */
  digest: string;
  /** For a graph component (implementation.graph): where its tasks' components are. */
  graphRefs?: string[];
}

export interface IrComponent {
  /** The .kfp name (a Python identifier). */
  name: IrIdentifier;
  description?: string;
  inputs: IrPort[];
  outputs: IrPort[];
  impl: IrPythonImpl | IrContainerImpl | IrImportedImpl;
  origin: IrSpan;
}

/** Where a task argument's value comes from. */
export type IrValue =
  | IrConst
  | { param: string }
  /** An output of the task whose id is `task`. */
  | { output: { task: IrNodeId; name: string } }
  /** The current item of an enclosing loop (by the loop's id), or one field of it (`row.a`). */
  | { item: { loop: IrNodeId; field?: string } }
  /** Fan-in: the list of one output over every iteration of the loops around its task. */
  | { collect: { task: IrNodeId; name: string } };

/** Values for task settings: literals, or (resources) pipeline parameters, task outputs and loop items. */
export type IrSettingValue = string | number | { param: string } | { output: { task: string; name: string } } | { item: { loop: string; field?: string } };

export interface IrEnvVar {
  name: string;
  value?: IrValue;
  secret?: { name: string; key: string };
  configMap?: { name: string; key: string };
}

export interface IrMount {
  /** An absolute path in the container. @pattern ^/ */
  path: string;
  /** A volume created by a `volume(...)` task of this pipeline (its id)… */
  volumeTask?: IrNodeId;
  /** …or an existing PersistentVolumeClaim. */
  claim?: string;
  readOnly?: boolean;
}

export interface IrSidecar {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { [name: string]: string };
  /** Mount the main container's volumes too (kfp's mirror_volume_mounts). */
  mirrorVolumeMounts?: boolean;
}

export interface IrTaskSettings {
  requests?: { [resource: string]: IrSettingValue };
  limits?: { [resource: string]: IrSettingValue };
  env?: IrEnvVar[];
  retry?: {
    /** @asType integer @minimum 0 */
    limit: number;
    policy?: string;
    backoff?: {
      duration?: string;
      /** @asType integer */
      factor?: number;
      maxDuration?: string;
    };
  };
  /** @asType integer @minimum 1 */
  timeoutSeconds?: number;
  cache?: boolean;
  maxCacheStaleness?: string;
  nodeSelector?: { [key: string]: string };
  tolerations?: { [key: string]: Json }[];
  affinity?: { [key: string]: Json };
  imagePullPolicy?: string;
  mounts?: IrMount[];
  displayName?: string;
  /** Containers beside the main one (kfp's add_sidecar), with their own image and command. */
  sidecars?: IrSidecar[];
  /** Containers run to completion before the main one (kfp's add_init_container). */
  initContainers?: IrSidecar[];
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
}

/**
 * What every task-like node has: a neutral id (the binding, or the callee's name, made
 * unique in the pipeline with `-2`, `-3`…, which no binding can spell), the binding as
 * written, and the ids of the tasks it waits for (`after`).
 */
interface IrTaskLike {
  id: IrNodeId;
  /** `t = …`: the name the user bound the task to, if any. */
  binding?: IrBinding;
  after: IrNodeId[];
  origin: IrSpan;
}

export interface IrTask extends IrTaskLike {
  kind: 'task';
  component: IrIdentifier;
  args: { [input: string]: IrValue };
  settings: IrTaskSettings;
}

/** kfp's VolumeOp: a PersistentVolumeClaim created by an Argo resource template. */
export interface IrVolume extends IrTaskLike {
  kind: 'volume';
  /** The PVC's name as given (sanitised for Kubernetes); absent, the backend names it after the task. Backends prefix the run's name so that runs do not collide. */
  /**
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 128
   */
  claimName?: string;
  size: IrSettingValue;
  /** @minItems 1 */
  modes: string[];
  storageClass?: string;
  /** Delete the claim when the pipeline ends, whatever its outcome (kfp's `vop.delete()` in an exit handler). */
  deleteAtExit?: boolean;
}

/**
 * kfp's ResourceOp: an Argo resource template acting on any Kubernetes object. The
 * manifest is JSON in which `{"kfpdsl.ref": i}` stands for `refs[i]`, a value known only
 * when the pipeline runs (a parameter, a task output, a loop item).
 */
export interface IrResource extends IrTaskLike {
  kind: 'resource';
  action: 'create' | 'apply' | 'delete' | 'replace' | 'patch';
  manifest: Json;
  refs: IrValue[];
  successCondition?: string;
  failureCondition?: string;
  /** Output name → JSONPath into the object, beside the default `name` and `manifest`. */
  outputs: { [name: string]: string };
}

/**
 * A call of another pipeline (`m = train_pipe(data)`): its body runs as a group of its own
 * with these arguments for its parameters, and its declared outputs are this node's outputs
 * (`{ output: { task: <this id>, name } }`). The pipeline may be this one (recursion under a
 * condition, kfp v1's graph components) or one of a .kfp module.
 */
export interface IrCall extends IrTaskLike {
  kind: 'call';
  /** The called pipeline's call name: its IrPipeline.name. */
  pipeline: IrIdentifier;
  /** Parameter name → value; a parameter left out takes its default. */
  args: { [param: string]: IrValue };
}

export type IrCompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type IrCondExpr =
  | { compare: IrCompareOp; left: IrValue; right: IrValue; numeric: boolean }
  | {
      /** @minItems 1 */
      and: IrCondExpr[];
    }
  | {
      /** @minItems 1 */
      or: IrCondExpr[];
    }
  | { not: IrCondExpr }
  /** A bool value used as a condition on its own (`if flag`). */
  | { truthy: IrValue };

/** One arm of an `if`: the `if` itself or an `elif`, with its condition as written. */
export interface IrArm {
  when: IrCondExpr;
  body: IrNode[];
  /** From the `if`/`elif` keyword to the end of the block. */
  origin: IrSpan;
}

/**
 * `if … elif … else …` as written: an arm runs when its condition holds and no earlier
 * arm's did; `else` runs when none did. Conditions are not negated or combined here.
 */
export interface IrBranch {
  kind: 'branch';
  /** @minItems 1 */
  arms: IrArm[];
  else?: { body: IrNode[]; origin: IrSpan };
}

export interface IrLoop {
  kind: 'loop';
  /** Neutral and unique among the pipeline's loops: the loop variable, with `-2`, `-3`… when reused. */
  id: IrNodeId;
  /** The loop variable as written. */
  variable: IrBinding;
  items: IrConst | { param: string } | { output: { task: string; name: string } } | { item: { loop: string; field?: string } };
  /** Record fields when the items are literal records (`row.a`); Argo's `{{item.a}}`. */
  fields: string[];
  /** @asType integer @minimum 1 */
  parallelism?: number;
  /** Where the limit is written: a backend whose field is narrower than the checker's bound (KFP v2's int32) says so there. */
  parallelismOrigin?: IrSpan;
  body: IrNode[];
  /** From the `for` keyword to the end of the block. */
  origin: IrSpan;
}

/**
 * A step of a pipeline's body, told apart by `kind`.
 * @discriminator kind
 */
export type IrNode = IrTask | IrVolume | IrResource | IrCall | IrBranch | IrLoop;

export interface IrParam {
  /** @pattern ^[-a-zA-Z0-9_]+$ */
  name: string;
  type: IrType;
  default?: IrConst;
}

export interface IrPipelineSettings {
  /** @asType integer @minimum 1 */
  timeoutSeconds?: number;
  /** @asType integer @minimum 1 */
  parallelism?: number;
  /** @asType integer @minimum 1 */
  ttlSeconds?: number;
  imagePullSecrets?: string[];
  imagePullPolicy?: string;
  serviceAccount?: string;
  /** Default node selector for every pod (PipelineConf.set_default_pod_node_selector). */
  nodeSelector?: { [key: string]: string };
  /**
   * minAvailable of the run's pod disruption budget (PipelineConf.set_pod_disruption_budget):
   * a count or a percentage.
   * @minimum 0
   * @pattern ^\d+%$
   */
  podDisruptionBudget?: number | string;
}

/** A pipeline's declared output, bound to a value of its body (a task output, or one collected from a loop). */
export interface IrPipelineOutput {
  name: IrIdentifier;
  type: IrType;
  value: IrValue;
}

export interface IrPipeline {
  /** As the user wrote it: shown in the KFP UI (backends derive their names from it). */
  displayName: string;
  /** The name other pipelines call it by (`pipeline train "…"`); absent: it cannot be called. Unique in the program. */
  name?: IrIdentifier;
  /** What a call of it gives its caller. */
  outputs?: IrPipelineOutput[];
  /** Where the name is written, for diagnostics a backend raises about the whole pipeline. */
  nameOrigin: IrSpan;
  description?: string;
  params: IrParam[];
  body: IrNode[];
  /** `finally { … }`: runs when the pipeline ends, whether it succeeded or failed (Argo's onExit). */
  exit?: IrNode[];
  settings: IrPipelineSettings;
  /** Where each pipeline setting's value is written, by its .kfp name (`timeout`): a backend that cannot express a value says so there. */
  settingOrigins?: { [setting: string]: IrSpan };
  origin: IrSpan;
}

export interface IrProgram {
  components: IrComponent[];
  /** The pipelines built, one workflow each (a called one among them is also lowered where it is called). */
  pipelines: IrPipeline[];
  /** Pipelines of .kfp modules that this program's pipelines call (directly or through each other): lowered where called, never built alone. */
  graphs?: IrPipeline[];
}
