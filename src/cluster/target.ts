/**
 * Which backend `upload` and `submit` compile with. Each destination runs only some targets:
 * KFP takes kfp-v1 workflows through its v1beta1 API (it reads their annotations and
 * `mlpipeline-*` artifacts) and kfp-v2 pipeline specs through v2beta1; an Argo Server runs any Argo Workflow, and plain `argo` is its default because
 * a kfp-v1 workflow needs KFP's service account and artifact store in the namespace.
 */
import { backendNamed } from '../backends/index.js';
import type { Backend } from '../backends/backend.js';
import { UsageError } from '../cli/files.js';

export type Destination = 'kfp' | 'argo-server';

const ACCEPTS: Record<Destination, readonly string[]> = { kfp: ['kfp-v1', 'kfp-v2'], 'argo-server': ['argo', 'kfp-v1'] };
const DEFAULT: Record<Destination, string> = { kfp: 'kfp-v1', 'argo-server': 'argo' };

/** The backend for `given` (`--target`, already one of the known names) or the destination's default; a target it cannot run is a usage error. */
export function clusterBackend(command: 'upload' | 'submit', destination: Destination, given: string | undefined): Backend {
  const name = given ?? DEFAULT[destination];
  if (!ACCEPTS[destination].includes(name)) {
    if (command === 'upload') {
      throw new UsageError(`upload sends pipelines to Kubeflow Pipelines, which runs --target kfp-v1 or kfp-v2 (not ${name})${name === 'argo' ? '; to run plain Argo Workflows, use `kfpdsl submit FILE --argo URL --namespace NS`' : ''}`);
    }
    if (destination === 'kfp') {
      throw new UsageError(`a KFP run carries a kfp-v1 workflow or a kfp-v2 pipeline spec: --target ${name} cannot go to --host${name === 'argo' ? '; submit it to an Argo Server with --argo URL --namespace NS' : ''}`);
    }
    throw new UsageError(`an Argo Server runs Argo Workflows: --target argo (the default with --argo) or kfp-v1, not ${name}${name === 'kfp-v2' ? ' (a KFP v2 pipeline spec goes to KFP: --host URL)' : ''}`);
  }
  const backend = backendNamed(name);
  if (!backend) throw new UsageError(`unknown --target ${name}`);
  return backend;
}
