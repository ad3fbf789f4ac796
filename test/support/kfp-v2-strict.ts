/**
 * KFP v2's pipeline spec parsed strictly, as KFP's backend reads it: `PipelineSpec` from the
 * descriptor set in ../shared/schemas/kfp-v2/ (unknown fields, wrong types and bad enum values
 * throw), and the platform spec with each executor's `KubernetesExecutorConfig`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileRegistry, fromBinary, fromJson, type Registry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { sharedDir } from './argo-strict.js';
import { requirement } from './requirements.js';

export const descriptorPath = join(sharedDir, 'schemas', 'kfp-v2', 'pipeline_spec.desc.pb');
export const goldenDir = join(sharedDir, 'anchors', 'kfp-v2', 'golden');
export const sharedV2 = requirement(existsSync(descriptorPath) && existsSync(goldenDir), `${descriptorPath} or ${goldenDir} is absent; set KFPDSL_SHARED to the shared folder`);

let registry: Registry | undefined;
function protos(): Registry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorPath)));
  return registry;
}

export function parseSpecStrictly(spec: unknown): void {
  fromJson(protos().getMessage('ml_pipelines.PipelineSpec')!, spec as never, { registry: protos() });
}

export function parsePlatformStrictly(platform: unknown): void {
  const r = protos();
  fromJson(r.getMessage('ml_pipelines.PlatformSpec')!, platform as never, { registry: r });
  const config = r.getMessage('kfp_kubernetes.KubernetesExecutorConfig')!;
  const executors = (platform as { platforms: { kubernetes: { deploymentSpec?: { executors: Record<string, unknown> } } } }).platforms.kubernetes.deploymentSpec?.executors ?? {};
  for (const e of Object.values(executors)) fromJson(config, e as never, { registry: r });
}
