/**
 * Resource templates, simulated: the manifest is parsed and "applied" locally. A
 * PersistentVolumeClaim becomes the run's directory `<runDir>/volumes/<name>` (copied from a
 * VolumeSnapshot or another claim named in `dataSource`); a VolumeSnapshot copies its source
 * claim to `<runDir>/snapshots/<name>`. Output parameters are read by `jsonPath`/`jqFilter`
 * from the object as the API server would return it, with a plausible `status`.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { AttemptResult } from './container.js';
import type { RunContext } from './context.js';
import { sanitize } from './naming.js';
import { writeParamFile } from './outputs.js';
import { isObj, nameOf, obj, objs, str, type Obj } from './spec.js';
import type { NodeOutputs } from './types.js';

export function runResourceAttempt(ctx: RunContext, tmpl: Obj, dir: string): AttemptResult {
  const resource = obj(tmpl['resource']);
  const action = str(resource['action']) ?? 'create';
  let manifest: unknown;
  try {
    manifest = YAML.parse(str(resource['manifest']) ?? '');
  } catch (e) {
    return { phase: 'Error', message: `invalid resource manifest: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isObj(manifest)) return { phase: 'Error', message: 'the resource manifest is not a YAML mapping' };
  const live = applyLocally(ctx, action, manifest);
  if (typeof live === 'string') return { phase: 'Error', message: live };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(live, null, 2)}\n`);

  const outputs: NodeOutputs = { parameters: {}, artifacts: {} };
  for (const p of objs(obj(tmpl['outputs'])['parameters'])) {
    const from = obj(p['valueFrom']);
    const query = str(from['jsonPath']) ?? str(from['jqFilter']);
    const value = query === undefined ? str(p['value']) : select(live, query);
    const fallback = value ?? str(from['default']);
    if (fallback === undefined) return { phase: 'Error', message: `output parameter "${nameOf(p)}": ${query ?? 'no valueFrom'} not found in the ${str(live['kind']) ?? 'resource'}` };
    outputs.parameters[nameOf(p)] = fallback;
    writeParamFile(dir, 'outputs', nameOf(p), fallback);
  }
  return { phase: 'Succeeded', outputs };
}

/** The object as it would be after `kubectl <action>`, or an error message. */
function applyLocally(ctx: RunContext, action: string, manifest: Obj): Obj | string {
  const metadata = { ...obj(manifest['metadata']) };
  if (str(metadata['name']) === undefined && str(metadata['generateName']) !== undefined) {
    metadata['name'] = `${str(metadata['generateName'])}${randomUUID().slice(0, 5)}`;
  }
  const name = str(metadata['name']);
  if (name === undefined) return 'the resource manifest has no metadata.name';
  const kind = str(manifest['kind']) ?? '';
  const spec = obj(manifest['spec']);
  const live: Obj = { ...manifest, metadata: { namespace: ctx.wf.namespace, uid: randomUUID(), creationTimestamp: new Date().toISOString(), ...metadata } };
  const removing = action === 'delete';

  if (kind === 'PersistentVolumeClaim') {
    const dir = ctx.volumeDir(name);
    if (removing) rmSync(dir, { recursive: true, force: true });
    else {
      const source = obj(spec['dataSource']);
      const from = str(source['kind']) === 'VolumeSnapshot' ? snapshotDir(ctx, str(source['name']) ?? '') : str(source['kind']) === 'PersistentVolumeClaim' ? ctx.volumeDir(str(source['name']) ?? '') : undefined;
      if (from !== undefined && !existsSync(dir)) {
        if (!existsSync(from)) return `${str(source['kind'])} "${str(source['name'])}" not found for dataSource`;
        cpSync(from, dir, { recursive: true });
      }
      mkdirSync(dir, { recursive: true });
    }
    live['status'] = { phase: 'Bound', accessModes: spec['accessModes'], capacity: { storage: obj(obj(spec['resources'])['requests'])['storage'] } };
  } else if (kind === 'VolumeSnapshot') {
    const dir = snapshotDir(ctx, name);
    const claim = str(obj(spec['source'])['persistentVolumeClaimName']) ?? str(obj(spec['source'])['name']);
    if (removing) rmSync(dir, { recursive: true, force: true });
    else if (claim !== undefined) {
      if (!existsSync(ctx.volumeDir(claim))) return `PersistentVolumeClaim "${claim}" not found for the snapshot`;
      rmSync(dir, { recursive: true, force: true });
      cpSync(ctx.volumeDir(claim), dir, { recursive: true });
    }
    live['status'] = { readyToUse: true, creationTime: new Date().toISOString() };
  }
  return live;
}

const snapshotDir = (ctx: RunContext, name: string): string => join(ctx.runDir, 'snapshots', sanitize(name));

/**
 * The small part of kubectl's JSONPath (and jq) that resource outputs use: `{}` or `{.}` for
 * the whole object, `{.a.b[0].c}` or `.a.b` for a field. Strings come out bare, the rest as JSON.
 */
export function select(root: unknown, query: string): string | undefined {
  let q = query.trim();
  if (q.startsWith('{') && q.endsWith('}')) q = q.slice(1, -1).trim();
  if (q === '' || q === '.' || q === '$') return JSON.stringify(root);
  let cur: unknown = root;
  for (const m of q.replace(/^\$/, '').matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g)) {
    const key = m[1] ?? m[3];
    if (key !== undefined) cur = isObj(cur) ? cur[key] : undefined;
    else cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
    if (cur === undefined) return undefined;
  }
  return typeof cur === 'string' ? cur : cur === null ? undefined : JSON.stringify(cur);
}
