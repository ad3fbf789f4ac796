/** The part of the Argo Workflow model kfpdsl emits (schemas/argo-workflow.schema.json is its contract). */

export interface ArgoParameter {
  name: string;
  value?: string;
  valueFrom?: { path?: string; parameter?: string; jsonPath?: string };
}

export interface ArgoArtifact {
  name: string;
  path?: string;
  from?: string;
  raw?: { data: string };
  optional?: boolean;
}

export interface ArgoIO {
  parameters?: ArgoParameter[];
  artifacts?: ArgoArtifact[];
}

export interface ArgoContainer {
  args?: string[];
  command?: string[];
  env?: unknown[];
  image: string;
  [key: string]: unknown;
}

export interface ArgoDagTask {
  name: string;
  template: string;
  when?: string;
  dependencies?: string[];
  arguments?: ArgoIO;
  withItems?: unknown[];
  withParam?: string;
}

export interface ArgoTemplate {
  name: string;
  container?: ArgoContainer;
  resource?: Record<string, unknown>;
  dag?: { tasks: ArgoDagTask[] };
  parallelism?: number;
  inputs?: ArgoIO;
  outputs?: ArgoIO;
  metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
  [key: string]: unknown;
}

export interface ArgoWorkflow {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Workflow';
  metadata: { generateName: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    entrypoint: string;
    templates: ArgoTemplate[];
    arguments: ArgoIO;
    serviceAccountName?: string;
    [key: string]: unknown;
  };
}
