/** The executor's public shapes (re-exported by executor.ts). */

export type NodePhase = 'Succeeded' | 'Failed' | 'Skipped' | 'Error' | 'Omitted';

/** Argo's node types: a pod (container/script/resource step), a DAG, the group of a loop's children, or a node that never ran. */
export type NodeType = 'Pod' | 'DAG' | 'TaskGroup' | 'Skipped';

export interface RunEvent {
  kind: 'started' | 'succeeded' | 'failed' | 'skipped' | 'retrying';
  id: string;
  name: string;
  displayName: string;
  template: string;
  type: NodeType;
  /** Set on completion events. */
  phase?: NodePhase;
  message?: string;
  /** Wall time of the node, on completion events. */
  durationMs?: number;
  /** 1-based attempt number, on `started` (pods) and `retrying`. */
  attempt?: number;
}

export interface RunOptions {
  /** A parsed Argo Workflow (apiVersion argoproj.io/v1alpha1, kind Workflow). */
  workflow: unknown;
  /** Overrides `spec.arguments.parameters` values. */
  arguments?: Record<string, string>;
  /** Everything this run writes goes under here. */
  runDir: string;
  /** Max concurrently running pods (default: os.cpus().length); spec.parallelism and template parallelism also apply. */
  parallelism?: number;
  /** secretName -> key -> value, for env valueFrom.secretKeyRef, envFrom and secret volumes. */
  secrets?: Record<string, Record<string, string>>;
  configMaps?: Record<string, Record<string, string>>;
  onEvent?: (e: RunEvent) => void;
  /** Extra env for every step. */
  env?: Record<string, string>;
  /**
   * Stops the run as `argo stop` does: running pods are killed, pending ones omitted, the exit
   * handler still runs. The abort reason (a string) becomes the message of what it ended.
   */
  stop?: AbortSignal;
  /** Terminates the run as `argo terminate` does: the exit handler's pods are killed too. */
  terminate?: AbortSignal;
  /** Before each attempt: an env entry such as PATH for the template (local-only, e.g. a virtual environment). */
  templateEnv?: (template: string, env: Readonly<Record<string, string>>) => Record<string, string>;
}

export interface NodeOutputs {
  parameters: Record<string, string>;
  /** Artifact name -> host path (a snapshot taken when the step finished). */
  artifacts: Record<string, string>;
  /** The step's stdout minus one trailing newline (Argo's `outputs.result`). */
  result?: string;
}

export interface NodeResult {
  id: string;
  /** Argo's node name: `<workflow name>.<task>(<index>:<item>).<task>`. */
  name: string;
  displayName: string;
  template: string;
  type: NodeType;
  phase: NodePhase;
  message?: string;
  outputs: NodeOutputs;
  startedAt?: number;
  finishedAt?: number;
  /** Step directory holding inputs/, outputs/, fs/ and log (pods only). */
  dir?: string;
  /** Pods only: how many times the step ran (retries + 1). */
  attempts?: number;
  /** Ids of the nodes this one contains (a DAG's tasks, a loop's children). */
  children?: string[];
}

export interface RunResult {
  phase: 'Succeeded' | 'Failed' | 'Error';
  message?: string;
  nodes: NodeResult[];
  exitHandler?: NodeResult;
  /** A v2 run's exit tasks (`ALL_UPSTREAM_TASKS_COMPLETED`): their nodes, and the nodes inside them, are its `finally`. */
  exitIds?: string[];
}

/** A node while the run is in progress: `Running` until it settles. */
export type NodeRecord = Omit<NodeResult, 'phase'> & { phase: NodePhase | 'Running' };

export const failedOrError = (phase: NodePhase | 'Running'): phase is 'Failed' | 'Error' => phase === 'Failed' || phase === 'Error';

/** An artifact passed to a template: a host file or directory, or inline data. */
export type ArtifactValue = { path: string } | { raw: string };
