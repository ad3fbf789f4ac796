/**
 * An image pull secret whose name no Kubernetes secret can have (kfp's own sample uses
 * `secretA`) names nothing: the kubelet pulls without it. kfp passes it through; `.kfp` refuses
 * it (KFP4027). `kfpdsl import` keeps the valid names as `image_pull_secrets` and the invalid
 * one as a comment with a located KFP0301 and a hint, so the import builds.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

const workflow = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: pull-
  annotations: {pipelines.kubeflow.org/pipeline_spec: '{"name": "pull"}'}
spec:
  entrypoint: pull
  imagePullSecrets:
  - {name: secretA}
  - {name: regcred}
  templates:
  - name: pull
    dag:
      tasks:
      - {name: hello, template: hello}
  - name: hello
    container: {image: 'alpine:3.19', command: [echo, hello]}
`;

describe('kfpdsl import of image pull secrets', () => {
  it('keeps the valid names and comments the one Kubernetes cannot have', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-import-pull-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    writeFileSync(join(dir, 'pull.yaml'), workflow);
    const imp = runCli(['import', join(dir, 'pull.yaml'), '-o', dir, '--format', 'short']);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stderr).toContain('pull.yaml:9:3: warning KFP0301: not translated: the image pull secret `secretA`: not a valid Kubernetes name');
    expect(imp.stderr).toContain('rename the secret in the cluster (e.g. `secret-a`) and list that name in `image_pull_secrets`');
    const text = readFileSync(join(dir, 'pull.kfp'), 'utf8');
    expect(text).toContain('  # kfpdsl import: not translated: the image pull secret `secretA`');
    expect(text).toContain('  image_pull_secrets: ["regcred"]\n');
    const built = runCli(['build', '--root', dir, join(dir, 'pull.kfp'), '-o', join(dir, 'out')]);
    expect(built.status, built.stderr).toBe(0);
  });
});
