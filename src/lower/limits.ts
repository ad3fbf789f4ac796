/**
 * Limits that only a cluster would otherwise enforce, checked on the lowered workflow:
 * Kubernetes name lengths, Argo's 1 MiB workflow size, the 256 KiB annotation total on
 * a pod, and container arguments over 128 KiB (which Argo offloads, and older Argo
 * versions cannot run at all). Part of the backends that write Argo: only they see the
 * workflow. (Name lengths are checked where names are written: src/check/name-limits.ts.) Sources: ../shared/reference/target-constraints.md §5.
 */
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrProgram } from '../ir/ir.js';
import { taskName } from '../names.js';
import type { SourceFile, Span } from '../source.js';
import type { ArgoWorkflow } from './argo-types.js';

export const WORKFLOW_WARN_BYTES = 512 * 1024;
export const WORKFLOW_MAX_BYTES = 1024 * 1024;
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;
export const ARGUMENT_MAX_BYTES = 128 * 1024;

function kib(n: number): string {
  return `${Math.round(n / 1024)} KiB`;
}

/** `files`: the program's files by path, to locate a component from a .kfp module in its own file. */
export function checkLimits(file: SourceFile, program: IrProgram, nameSpan: Span, wf: ArgoWorkflow, files?: ReadonlyMap<string, SourceFile>): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Name lengths are checked where the names are made (check-pipeline, check-component); sizes need the lowered workflow.
  // Made only when a limit is hit: a file of 100,000 components would name them all for nothing.
  let byTemplate: Map<string, IrProgram['components'][number]> | undefined;
  const size = JSON.stringify(wf).length;
  if (size > WORKFLOW_WARN_BYTES) {
    out.push(diag('WorkflowTooLarge', `the workflow is ${kib(size)} of JSON; Argo rejects workflows over 1 MiB (status included)`, {
      file, span: nameSpan, severity: size > WORKFLOW_MAX_BYTES ? 'error' : 'warning',
      hint: 'split the pipeline, or move large constants and code into images or component files',
    }));
  }
  for (const t of wf.spec.templates) {
    const anns = t.metadata?.annotations ?? {};
    const total = Object.entries(anns).reduce((n, [k, v]) => n + k.length + v.length, 0);
    const where = (): { file: SourceFile; span: Span } => {
      byTemplate ??= new Map(program.components.map((c) => [taskName(c.name), c] as const));
      const origin = (byTemplate.get(t.name) ?? byTemplate.get(t.name.replace(/-\d+$/, '')))?.origin;
      const inFile = origin?.file === undefined || origin.file === file.path ? file : files?.get(origin.file);
      // A component's own file when it is known; else the pipeline's name in this file.
      return origin && inFile ? { file: inFile, span: { start: origin.start, end: origin.end } } : { file, span: nameSpan };
    };
    if (total > ANNOTATIONS_MAX_BYTES) {
      out.push(diag('AnnotationsTooLarge', `the annotations of template \`${t.name}\` total ${kib(total)}; Kubernetes allows 256 KiB per pod`, {
        ...where(), hint: 'the component spec (with its code) is copied into an annotation: move large code into an image',
      }));
    }
    for (const a of [...(t.container?.command ?? []), ...(t.container?.args ?? [])]) {
      if (a.length > ARGUMENT_MAX_BYTES) {
        out.push(diag('ArgumentTooLarge', `a command-line argument of template \`${t.name}\` is ${kib(a.length)}; Argo offloads arguments over 128 KiB, and Argo before 3.7 cannot start the pod`, {
          ...where(), hint: 'move the code into an image or a file the container reads',
        }));
        break;
      }
    }
  }
  return out;
}
