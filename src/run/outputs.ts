/**
 * A finished pod's outputs, read the way Argo's wait container does: parameters from their
 * files (minus one trailing newline, or `valueFrom.default` when the file is missing),
 * artifacts snapshotted into `outputs/artifacts/<name>` so later writes to a shared volume
 * cannot change what was produced.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sanitize } from './naming.js';
import type { PathMap } from './paths.js';
import { nameOf, obj, objs, str, type Obj } from './spec.js';
import type { NodeOutputs } from './types.js';

export type Collected = { outputs: NodeOutputs } | { error: string };

export function collectOutputs(tmpl: Obj, paths: PathMap, stepDir: string, stdout: string): Collected {
  const outputs: NodeOutputs = { parameters: {}, artifacts: {}, result: stripNewline(stdout) };
  const declared = obj(tmpl['outputs']);
  for (const p of objs(declared['parameters'])) {
    const name = nameOf(p);
    const from = obj(p['valueFrom']);
    const path = str(from['path']);
    let value = str(p['value']);
    if (path !== undefined) {
      const host = paths.host(path);
      if (existsSync(host) && statSync(host).isFile()) value = stripNewline(readFileSync(host, 'utf8'));
      else if (str(from['default']) !== undefined) value = str(from['default']);
      else return { error: `output parameter file not found: "${name}" (${path})` };
    } else if (value === undefined && str(from['default']) !== undefined) {
      value = str(from['default']);
    }
    if (value === undefined) continue;
    outputs.parameters[name] = value;
    writeParamFile(stepDir, 'outputs', name, value);
  }
  for (const a of objs(declared['artifacts'])) {
    const name = nameOf(a);
    const path = str(a['path']);
    if (path === undefined) continue;
    const host = paths.host(path);
    if (!existsSync(host)) {
      if (a['optional'] === true) continue;
      return { error: `output artifact not found: "${name}" (${path})` };
    }
    const snapshot = join(stepDir, 'outputs', 'artifacts', sanitize(name));
    mkdirSync(join(stepDir, 'outputs', 'artifacts'), { recursive: true });
    cpSync(host, snapshot, { recursive: true });
    outputs.artifacts[name] = snapshot;
  }
  return { outputs };
}

/** Argo trims a single trailing newline "for user convenience". */
export const stripNewline = (s: string): string => (s.endsWith('\n') ? s.slice(0, -1) : s);

/** `<stepDir>/{inputs,outputs}/parameters/<name>`: the values as files, for debugging. */
export function writeParamFile(stepDir: string, side: 'inputs' | 'outputs', name: string, value: string): void {
  const dir = join(stepDir, side, 'parameters');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, sanitize(name)), value, { mode: 0o600 });
}
