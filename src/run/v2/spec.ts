/**
 * A KFP v2 pipeline spec as the local run reads it: the PipelineSpec (protobuf JSON, the YAML's
 * first document) and, when present, the PlatformSpec (`platforms.kubernetes`, the second).
 * Fields are read through the typed readers of src/run/spec.ts: a missing field reads as empty,
 * and check.ts reports, before anything runs, what the run needs and does not find.
 */
import { isObj, obj, str, type Obj } from '../spec.js';

export interface V2Spec {
  /** `pipelineInfo.name`. */
  readonly name: string;
  readonly components: Obj;
  readonly executors: Obj;
  readonly root: Obj;
  /** `platforms.kubernetes.deploymentSpec.executors`: each executor's Kubernetes settings. */
  readonly kubernetes: Obj;
  /** `platforms.kubernetes.pipelineConfig`. */
  readonly pipelineConfig: Obj;
}

/** Whether a parsed YAML document is a KFP v2 PipelineSpec (rather than an Argo Workflow or anything else). */
export function isPipelineSpec(doc: unknown): boolean {
  const d = obj(doc);
  return isObj(d['root']) && (isObj(d['deploymentSpec']) || isObj(d['components'])) && d['kind'] === undefined;
}

/** The spec of the YAML's documents (a PipelineSpec, optionally followed by a PlatformSpec). */
export function readV2Spec(docs: readonly unknown[]): V2Spec {
  const spec = obj(docs[0]);
  const platform = obj(obj(obj(docs[1])['platforms'])['kubernetes']);
  return {
    name: str(obj(spec['pipelineInfo'])['name']) ?? 'pipeline',
    components: obj(spec['components']),
    executors: obj(obj(spec['deploymentSpec'])['executors']),
    root: obj(spec['root']),
    kubernetes: obj(obj(platform['deploymentSpec'])['executors']),
    pipelineConfig: obj(platform['pipelineConfig']),
  };
}

/** The component a task runs (`componentRef.name`), or the root. */
export function componentOf(spec: V2Spec, name: string): Obj | undefined {
  const c = spec.components[name];
  return isObj(c) ? c : undefined;
}

/** An input's declared type and default (`inputDefinitions.parameters[name]`). */
export function parameterDef(component: Obj, name: string): Obj | undefined {
  const d = obj(obj(component['inputDefinitions'])['parameters'])[name];
  return isObj(d) ? d : undefined;
}

export const taskNames = (dag: Obj): string[] => Object.keys(obj(dag['tasks']));
