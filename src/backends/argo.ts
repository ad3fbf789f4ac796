/**
 * `--target argo`: plain Argo Workflows, for `argo submit` without Kubeflow. The same DAGs
 * as kfp-v1, without what only KFP reads: no `pipelines.kubeflow.org/*` annotations or
 * labels, no `mlpipeline-*` artifacts (metrics and UI metadata are artifacts named after
 * their output), no `pipeline-runner` service account, no component.yaml files.
 */
import { lowerToArgo } from './argo-workflows.js';
import type { Backend } from './backend.js';

export const argoBackend: Backend = {
  name: 'argo',
  description: 'plain Argo Workflows: no Kubeflow annotations, labels, UI artifacts or component.yaml files',
  lower: (program, options) => lowerToArgo(program, options, 'argo'),
};
