/**
 * Volume mounts on the host: a PersistentVolumeClaim (or a volumeClaimTemplate) is a directory
 * shared by the whole run, `<runDir>/volumes/<claim>`; secret and configMap volumes are
 * materialized from the run's secrets/configMaps (secrets outside the run directory); emptyDir and anything else is a fresh
 * directory private to the step.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunContext } from './context.js';
import { sanitize } from './naming.js';
import { normalize, type Mount } from './paths.js';
import { isObj, nameOf, obj, objs, str, type Obj } from './spec.js';
import { deepSubstitute, type Lookup } from './substitute.js';

export type Mounts = { mounts: Mount[] } | { error: string };

/** `privateDir`: where secret volumes are written, outside the run directory and removed after the attempt. */
export function resolveMounts(ctx: RunContext, tmpl: Obj, stepDir: string, lookup: Lookup, privateDir: string): Mounts {
  const volumes = new Map<string, Obj>();
  for (const v of deepSubstitute(ctx.wf.volumes, lookup)) volumes.set(nameOf(v), v);
  for (const v of objs(tmpl['volumes'])) volumes.set(nameOf(v), v);

  const mounts: Mount[] = [];
  for (const vm of objs(obj(tmpl['container'] ?? tmpl['script'])['volumeMounts'])) {
    const name = nameOf(vm);
    const mountPath = str(vm['mountPath']);
    if (!mountPath) return { error: `volumeMount "${name}" has no mountPath` };
    const volume = volumes.get(name);
    let host: string | { error: string };
    if (volume) host = volumeHost(ctx, volume, stepDir, privateDir);
    else if (ctx.wf.claimTemplates.has(name)) host = ctx.volumeDir(name);
    else return { error: `volume "${name}" is mounted at ${mountPath} but not declared in volumes` };
    if (typeof host !== 'string') return host;
    const subPath = str(vm['subPath']);
    const dir = subPath ? join(host, subPath) : host;
    mkdirSync(dir, { recursive: true });
    mounts.push({ mountPath: normalize(mountPath), host: dir });
  }
  return { mounts };
}

function volumeHost(ctx: RunContext, volume: Obj, stepDir: string, privateDir: string): string | { error: string } {
  const name = nameOf(volume);
  const pvc = volume['persistentVolumeClaim'];
  if (isObj(pvc)) {
    const claim = str(pvc['claimName']);
    if (!claim) return { error: `volume "${name}" has no claimName` };
    return ctx.volumeDir(claim);
  }
  const dir = join(stepDir, 'volumes', sanitize(name));
  const secret = volume['secret'];
  // A secret is never written under the run directory: its volume lives in the attempt's private directory.
  if (isObj(secret)) return fillFromStore(join(privateDir, 'secrets', sanitize(name)), 'secret', str(secret['secretName']) ?? '', secret, ctx.opts.secrets);
  const configMap = volume['configMap'];
  if (isObj(configMap)) return fillFromStore(dir, 'configMap', str(configMap['name']) ?? '', configMap, ctx.opts.configMaps);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One file per key (or per `items[]` entry), as the kubelet writes a secret or configMap volume. */
function fillFromStore(
  dir: string,
  kind: 'secret' | 'configMap',
  storeName: string,
  source: Obj,
  stores: Record<string, Record<string, string>> | undefined,
): string | { error: string } {
  mkdirSync(dir, { recursive: true });
  const data = stores?.[storeName];
  if (!data) {
    if (source['optional'] === true) return dir;
    return { error: `${kind} "${storeName}" not found: pass it in the run's ${kind === 'secret' ? 'secrets' : 'configMaps'}` };
  }
  const items = objs(source['items']);
  const entries = items.length > 0 ? items.map((i) => [str(i['key']) ?? '', str(i['path']) ?? str(i['key']) ?? ''] as const) : Object.keys(data).map((k) => [k, k] as const);
  for (const [key, path] of entries) {
    const value = data[key];
    if (value === undefined) return { error: `${kind} "${storeName}" has no key "${key}"` };
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, value, { mode: 0o600 });
  }
  return dir;
}
