/** `--target kfp-v1` (the default): Argo Workflows that Kubeflow Pipelines v1 accepts, and a component.yaml per component. */
import { lowerToArgo } from './argo-workflows.js';
import type { Backend } from './backend.js';

export const kfpV1Backend: Backend = {
  name: 'kfp-v1',
  description: 'Kubeflow Pipelines v1: Argo Workflow YAML with kfp annotations, and component.yaml files',
  lower: (program, options) => lowerToArgo(program, options, 'kfp'),
};
