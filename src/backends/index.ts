/** The targets `--target` accepts, by name; the first is the default. */
import { argoBackend } from './argo.js';
import type { Backend } from './backend.js';
import { kfpV1Backend } from './kfp-v1.js';
import { kfpV2Backend } from './kfp-v2/index.js';

export const BACKENDS: readonly Backend[] = [kfpV1Backend, argoBackend, kfpV2Backend];

export const DEFAULT_TARGET = kfpV1Backend.name;

export const TARGET_NAMES: readonly string[] = BACKENDS.map((b) => b.name);

export function backendNamed(name: string): Backend | undefined {
  return BACKENDS.find((b) => b.name === name);
}
