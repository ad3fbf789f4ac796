/**
 * The kfp v1 workflow anchors `kfpdsl import` is held to (shared by the import tests): every
 * compiled workflow in ../shared/anchors/kfp-v1 (golden, regenerated, samples, probes), and
 * those that do not build again yet, each with the reason.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { haveShared, sharedDir } from './support/argo-strict.js';

/**
 * Why an anchor does not round-trip yet, by file name (a golden and its regenerated twin share
 * it). Checked: these still fail to build, so the list stays honest.
 */
export const NOT_YET: Record<string, string> = {
};

/** Absolute paths of the 80 workflow anchors, sorted. */
export const anchors: string[] = haveShared
  ? ['golden', 'regenerated', 'samples', 'probes']
      .map((d) => join(sharedDir, 'anchors/kfp-v1', d))
      .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.yaml') && !f.endsWith('.component.yaml')).map((f) => join(d, f)))
      .sort()
  : [];
