/** A kfp v1 compiled pipeline (Argo Workflow) → a `.kfp` pipeline and its components. */
import type { Warnings } from './types.js';

export function importWorkflow(_wf: Record<string, unknown>, warnings: Warnings): string {
  return `# ${warnings.add('spec', 'pipelines are not imported yet')}\n`;
}
