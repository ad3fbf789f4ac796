/**
 * kfp v1's data passing through a volume (`PipelineConf.data_passing_method =
 * KubernetesVolume`) turned back into ordinary file passing, before the import reads the
 * workflow.
 *
 * kfp lowers each file output to a mount of the volume at a `subPath` of its own
 * (`artifact_data/{{workflow.uid}}_{{pod.name}}/<output>`) plus an output parameter holding that
 * subPath (`<output>-subpath`), and each file input to a read-only mount of the subPath its
 * argument names: the files themselves never appear as Argo artifacts. Rewritten as artifacts,
 * the files reach the same paths with the same contents, so the rest of the import needs to know
 * nothing of it; `.kfp` passes files through the artifact store, and a comment says so.
 */
import { isRecord, type Warnings } from './types.js';

type Rec = Record<string, unknown>;

const OUTPUT_SUBPATH = /^artifact_data\/\{\{workflow\.uid\}\}_\{\{pod\.name\}\}\/(.+)$/;
const INPUT_SUBPATH = /^\{\{inputs\.parameters\.(.+)-subpath\}\}$/;
const TASK_SUBPATH = /^\{\{tasks\.([^.]+)\.outputs\.parameters\.(.+)-subpath\}\}$/;

const list = (v: unknown): Rec[] => (Array.isArray(v) ? (v as unknown[]).filter(isRecord) : []);

/**
 * The workflow with its volume data passing as artifacts (the same object when it has none),
 * and the text of the comment that says so.
 */
export function volumePassingAsArtifacts(wf: Rec, warnings: Warnings): { wf: Rec; comment?: string } {
  const spec = isRecord(wf['spec']) ? wf['spec'] : {};
  const volumes = list(spec['volumes']);
  const templates = list(spec['templates']);
  const mounts = (t: Rec): Rec[] => list(isRecord(t['container']) ? t['container']['volumeMounts'] : undefined);
  const dataVolume = volumes.find((v) => templates.some((t) => mounts(t).some((m) => m['name'] === v['name'] && typeof m['subPath'] === 'string' && OUTPUT_SUBPATH.test(m['subPath']))));
  if (!dataVolume) return { wf };
  const claim = isRecord(dataVolume['persistentVolumeClaim']) ? String(dataVolume['persistentVolumeClaim']['claimName']) : String(dataVolume['name']);
  const copy = structuredClone(wf);
  const s = copy['spec'] as Rec;
  for (const t of list(s['templates'])) {
    const c = isRecord(t['container']) ? t['container'] : undefined;
    if (c) rewriteContainer(t, c, String(dataVolume['name']));
    for (const task of isRecord(t['dag']) ? list(t['dag']['tasks']) : []) rewriteArguments(task);
  }
  const rest = volumes.filter((v) => v !== dataVolume);
  if (rest.length) s['volumes'] = structuredClone(rest);
  else delete s['volumes'];
  const comment = warnings.add('spec.volumes', `the files passed between tasks through the volume \`${claim}\` (kfp's data_passing_method): they are passed as files, through the artifact store`, 'kfpdsl has no data passing through a volume; mount the claim with `mount` where a task needs it');
  return { wf: copy, comment };
}

/** A container's mounts of the data volume as output and input artifacts at the same paths. */
function rewriteContainer(t: Rec, c: Rec, volume: string): void {
  const argv = [...(Array.isArray(c['command']) ? c['command'] : []), ...(Array.isArray(c['args']) ? c['args'] : [])].map(String);
  // The file inside the mounted directory: the path the program is given (kfp's is `…/data`).
  const fileIn = (dir: string): string => argv.find((a) => a.startsWith(`${dir}/`)) ?? `${dir}/data`;
  const outputs = (t['outputs'] = isRecord(t['outputs']) ? t['outputs'] : {}) as Rec;
  const inputs = (t['inputs'] = isRecord(t['inputs']) ? t['inputs'] : {}) as Rec;
  const kept: Rec[] = [];
  for (const m of list(c['volumeMounts'])) {
    const sub = typeof m['subPath'] === 'string' ? m['subPath'] : '';
    const out = OUTPUT_SUBPATH.exec(sub);
    const inp = INPUT_SUBPATH.exec(sub);
    if (m['name'] !== volume || (!out && !inp)) {
      kept.push(m);
      continue;
    }
    const path = fileIn(String(m['mountPath']));
    if (out) {
      const artifacts = list(outputs['artifacts']);
      if (!artifacts.some((a) => a['name'] === out[1])) outputs['artifacts'] = [...artifacts, { name: out[1], path }];
      outputs['parameters'] = list(outputs['parameters']).filter((p) => p['name'] !== `${out[1]}-subpath`);
    } else if (inp) {
      inputs['artifacts'] = [...list(inputs['artifacts']), { name: inp[1], path }];
      inputs['parameters'] = list(inputs['parameters']).filter((p) => p['name'] !== `${inp[1]}-subpath`);
    }
  }
  if (kept.length) c['volumeMounts'] = kept;
  else delete c['volumeMounts'];
  for (const side of [outputs, inputs]) for (const k of ['parameters', 'artifacts']) if (Array.isArray(side[k]) && (side[k] as unknown[]).length === 0) delete side[k];
}

/** A task's `<input>-subpath` arguments as the artifacts they name. */
function rewriteArguments(task: Rec): void {
  const args = isRecord(task['arguments']) ? task['arguments'] : undefined;
  if (!args) return;
  const artifacts = list(args['artifacts']);
  const parameters: Rec[] = [];
  for (const p of list(args['parameters'])) {
    const name = String(p['name']);
    const from = typeof p['value'] === 'string' ? TASK_SUBPATH.exec(p['value']) : null;
    if (name.endsWith('-subpath') && from) artifacts.push({ name: name.slice(0, -'-subpath'.length), from: `{{tasks.${from[1]}.outputs.artifacts.${from[2]}}}` });
    else parameters.push(p);
  }
  args['parameters'] = parameters;
  if (artifacts.length) args['artifacts'] = artifacts;
}
