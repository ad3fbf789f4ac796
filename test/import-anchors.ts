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
  artifact_passing_using_volume: 'data passing through a volume (PipelineConf.data_passing_method) hides the artifact arguments',
  imagepullsecrets: 'the secret name `secretA` is not a valid Kubernetes name, which kfpdsl refuses (KFP4027)',
  parallelfor_item_argument_resolving: 'an untyped input of a Python component receives a list (kfp passes its JSON text; a .kfp `list` input would be parsed)',
  recursive_do_while: 'recursion (a graph component calling itself) has no .kfp form',
  loop_parallelism: 'a `str` input of a Python component receives a record loop item (kfp passes its JSON text)',
  parallelism_sub_dag: 'a `str` input of a Python component receives a record loop item (kfp passes its JSON text)',
  probe_control_flow: 'a task argument built from text and a reference (`big {{…}}`), which .kfp writes in the component',
  probe_loops: 'a task argument built from text and references (`{{prefix}}-{{item}}`), which .kfp writes in the component',
  probe_python_components: 'a str value output passed to a file input (kfp v1 lets a value become a file, .kfp says KFP3001)',
};

/** Absolute paths of the 80 workflow anchors, sorted. */
export const anchors: string[] = haveShared
  ? ['golden', 'regenerated', 'samples', 'probes']
      .map((d) => join(sharedDir, 'anchors/kfp-v1', d))
      .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.yaml') && !f.endsWith('.component.yaml')).map((f) => join(d, f)))
      .sort()
  : [];
