/**
 * Every setting that lands in an integer field of Argo or Kubernetes fits that field's Go type
 * (Argo v4.1 schemas: int64 for parallelism and the workflow's activeDeadlineSeconds, int32 for
 * ttlStrategy and every IntOrString) or is refused with a located KFP5006, never written as
 * `1e+300` or a number Go cannot decode. For each field: the largest value passes and is
 * written exactly; one more is refused at the value's position. int64 fields stop at 2^53 - 1,
 * the largest integer kfpdsl carries exactly. The Argo cases run for both Argo targets; KFP v2's
 * protos (/work/shared/schemas/kfp-v2) have int32 fields where Argo's are int64, checked by
 * their own cases, and its durations are written exactly.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { backendNamed } from '../src/backends/index.js';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';
import { parsePlatformStrictly, parseSpecStrictly, sharedV2 } from './support/kfp-v2-strict.js';

const INT32_MAX = 2_147_483_647;
const INT64_EXACT = Number.MAX_SAFE_INTEGER;

interface Case {
  readonly what: string;
  /** A .kfp with `VALUE` where the setting's value goes. */
  readonly source: string;
  readonly max: string;
  readonly tooLarge: string;
  /** Where the value lands in the workflow, and what it must read there. */
  readonly read: (wf: Workflow) => unknown;
  readonly expected: unknown;
}

type Workflow = { spec: Record<string, unknown> & { templates: Record<string, unknown>[] } };
const component = 'component f() {\n  image: "alpine:3.19"\n  command: ["true"]\n}\n';
const pipelineSetting = (line: string): string => `${component}pipeline "p" () {\n  ${line}\n  f()\n}\n`;
const taskSetting = (lines: string): string => `${component}pipeline "p" () {\n  f() {\n    ${lines}\n  }\n}\n`;
const fTemplate = (wf: Workflow): Record<string, unknown> => wf.spec.templates.find((t) => t['name'] === 'f')!;
const retryOf = (wf: Workflow): Record<string, unknown> => fTemplate(wf)['retryStrategy'] as Record<string, unknown>;

const CASES: Case[] = [
  { what: 'pipeline timeout (spec.activeDeadlineSeconds, int64)', source: pipelineSetting('timeout: VALUE'), max: '"104249991374d7h36m31s"', tooLarge: '"104249991374d7h36m32s"', read: (wf) => wf.spec['activeDeadlineSeconds'], expected: INT64_EXACT },
  { what: 'pipeline parallelism (spec.parallelism, int64)', source: pipelineSetting('parallelism: VALUE'), max: String(INT64_EXACT), tooLarge: '9007199254740992.0', read: (wf) => wf.spec['parallelism'], expected: INT64_EXACT },
  { what: 'ttl (ttlStrategy.secondsAfterCompletion, int32)', source: pipelineSetting('ttl: VALUE'), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (wf) => (wf.spec['ttlStrategy'] as Record<string, unknown>)['secondsAfterCompletion'], expected: INT32_MAX },
  { what: 'ttl as a duration', source: pipelineSetting('ttl: VALUE'), max: '"24855d3h14m7s"', tooLarge: '"24855d3h14m8s"', read: (wf) => (wf.spec['ttlStrategy'] as Record<string, unknown>)['secondsAfterCompletion'], expected: INT32_MAX },
  { what: 'pod_disruption_budget (minAvailable, IntOrString)', source: pipelineSetting('pod_disruption_budget: VALUE'), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (wf) => (wf.spec['podDisruptionBudget'] as Record<string, unknown>)['minAvailable'], expected: INT32_MAX },
  { what: 'task timeout (template activeDeadlineSeconds, IntOrString)', source: taskSetting('timeout: VALUE'), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (wf) => fTemplate(wf)['activeDeadlineSeconds'], expected: INT32_MAX },
  { what: 'retry (retryStrategy.limit, IntOrString)', source: taskSetting('retry: VALUE'), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (wf) => retryOf(wf)['limit'], expected: INT32_MAX },
  { what: 'backoff_factor (retryStrategy.backoff.factor, IntOrString)', source: taskSetting('retry: 1\n    backoff_factor: VALUE'), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (wf) => (retryOf(wf)['backoff'] as Record<string, unknown>)['factor'], expected: INT32_MAX },
  { what: 'backoff_max (a Go duration, int64 nanoseconds)', source: taskSetting('retry: 1\n    backoff_max: VALUE'), max: '"2562047h47m16.854775807s"', tooLarge: '"2562047h47m16.854775808s"', read: (wf) => (retryOf(wf)['backoff'] as Record<string, unknown>)['maxDuration'], expected: '2562047h47m16.854775807s' },
  { what: 'backoff (a Go duration)', source: taskSetting('retry: 1\n    backoff: VALUE'), max: '"9223372036854775807ns"', tooLarge: '"9223372036854775808ns"', read: (wf) => (retryOf(wf)['backoff'] as Record<string, unknown>)['duration'], expected: '9223372036854775807ns' },
  { what: 'gpu (a quantity)', source: taskSetting('gpu: VALUE'), max: String(INT64_EXACT), tooLarge: '9007199254740992.0', read: (wf) => ((fTemplate(wf)['container'] as Record<string, Record<string, Record<string, unknown>>>)['resources']!['limits']!['nvidia.com/gpu']), expected: INT64_EXACT },
  { what: 'tolerationSeconds (core/v1 Toleration, int64)', source: taskSetting('tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: VALUE }]'), max: String(INT64_EXACT), tooLarge: '1e300', read: (wf) => (fTemplate(wf)['tolerations'] as Record<string, unknown>[])[0]!['tolerationSeconds'], expected: INT64_EXACT },
  { what: 'tolerationSeconds below int64', source: taskSetting('tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: VALUE }]'), max: String(-INT64_EXACT), tooLarge: '-1e300', read: (wf) => (fTemplate(wf)['tolerations'] as Record<string, unknown>[])[0]!['tolerationSeconds'], expected: -INT64_EXACT },
  { what: 'affinity weight (core/v1 PreferredSchedulingTerm, int32)', source: taskSetting(`affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: VALUE, preference: { matchExpressions: [{ key: "pool", operator: "In", values: ["gpu"] }] } }] } }`), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (wf) => ((fTemplate(wf)['affinity'] as Record<string, Record<string, Record<string, unknown>[]>>)['nodeAffinity']!['preferredDuringSchedulingIgnoredDuringExecution']![0]!['weight']), expected: INT32_MAX },
];
const ARGO_TARGETS = ['kfp-v1', 'argo'] as const;
const argoCases = ARGO_TARGETS.flatMap((target) => CASES.map((c) => [`${c.what} (--target ${target})`, c, target] as const));

function compile(text: string, target = 'kfp-v1'): ReturnType<typeof compileSource> {
  return compileSource(new SourceFile('ranges.kfp', text), { backend: backendNamed(target)! });
}

describe('integer settings fit their Argo and Kubernetes fields', () => {
  it.each(argoCases)('%s: the largest value passes and is written exactly', (_what, c, target) => {
    const r = compile(c.source.replace('VALUE', c.max), target);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const wf = YAML.parse(r.files.find((f) => f.kind === 'workflow')!.text) as Workflow;
    expect(c.read(wf)).toBe(c.expected);
  });

  it.each(argoCases)('%s: one more is refused where it is written', (_what, c, target) => {
    const text = c.source.replace('VALUE', c.tooLarge);
    const r = compile(text, target);
    expect(r.files).toEqual([]);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['KFP5006']);
    const at = text.indexOf(c.tooLarge);
    expect(errors[0]!.span).toEqual({ start: at, end: at + c.tooLarge.length });
  });

  it('loop parallelism: the largest exact integer passes, a larger literal is refused', () => {
    const loop = (n: string): string => `${component}pipeline "p" () {\n  for i in [1, 2] parallelism ${n} {\n    f()\n  }\n}\n`;
    const ok = compile(loop(String(INT64_EXACT)));
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const wf = YAML.parse(ok.files.find((f) => f.kind === 'workflow')!.text) as Workflow;
    expect(wf.spec.templates.find((t) => t['parallelism'] !== undefined)!['parallelism']).toBe(INT64_EXACT);
    const bad = compile(loop('100000000000000000000000'));
    expect(bad.files).toEqual([]);
    expect(bad.diagnostics.every((d) => d.span !== undefined)).toBe(true);
  });

  it('max_cache_staleness fits the Go duration kfp\'s cache server parses it into (2^63 - 1 ns, about 292 years)', () => {
    const ok = compile(taskSetting('max_cache_staleness: "P292Y"'));
    expect(ok.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const wf = YAML.parse(ok.files.find((f) => f.kind === 'workflow')!.text) as Workflow;
    expect((fTemplate(wf)['metadata'] as Record<string, Record<string, unknown>>)['annotations']!['pipelines.kubeflow.org/max_cache_staleness']).toBe('P292Y');
    for (const tooLong of ['"P293Y"', '"P106752D"', '"PT9223372037S"']) {
      const text = taskSetting(`max_cache_staleness: ${tooLong}`);
      const bad = compile(text);
      expect(bad.files, tooLong).toEqual([]);
      expect(bad.diagnostics.map((d) => [d.code, d.span?.start]), tooLong).toEqual([['KFP5006', text.indexOf(tooLong)]]);
    }
  });

  it('a percentage pod disruption budget stops at 100%', () => {
    expect(compile(pipelineSetting('pod_disruption_budget: "100%"')).files).not.toEqual([]);
    expect(compile(pipelineSetting('pod_disruption_budget: "101%"')).diagnostics.map((d) => d.code)).toEqual(['KFP4001']);
  });

  it('the audit\'s reproducers are refused, not written as floats', () => {
    for (const [line, task] of [['timeout: 1e300', false], ['ttl: "25000d"', false], ['parallelism: 1e23', false], ['retry: 3000000000', true]] as const) {
      const r = compile(task ? taskSetting(line) : pipelineSetting(line));
      expect(r.files, line).toEqual([]);
      expect(r.diagnostics.map((d) => d.code), line).toEqual(['KFP5006']);
    }
  });
});

// --- KFP v2 ---------------------------------------------------------------------------------------

type Doc = Record<string, any>;
const loopSource = (n: string): string => `${component}pipeline "p" () {\n  for i in [1, 2] parallelism ${n} {\n    f()\n  }\n}\n`;

function v2Documents(text: string): { spec: Doc; platform?: Doc } {
  const r = compile(text, 'kfp-v2');
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const [spec, platform] = YAML.parseAllDocuments(r.files[0]!.text).map((d) => d.toJS() as Doc);
  if (!sharedV2.missing) {
    parseSpecStrictly(spec);
    if (platform) parsePlatformStrictly(platform);
  }
  return { spec: spec!, ...(platform ? { platform } : {}) };
}

interface V2Case {
  readonly what: string;
  readonly source: (value: string) => string;
  readonly max: string;
  readonly tooLarge: string;
  readonly read: (docs: { spec: Doc; platform?: Doc }) => unknown;
  readonly expected: unknown;
}

const V2_CASES: V2Case[] = [
  // Argo's spec.activeDeadlineSeconds is an int64; KFP v2's PipelineConfig.active_deadline_seconds an int32.
  { what: 'pipeline timeout (PipelineConfig.active_deadline_seconds, int32)', source: (v) => pipelineSetting(`timeout: ${v}`), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (d) => d.platform!['platforms'].kubernetes.pipelineConfig.activeDeadlineSeconds, expected: INT32_MAX },
  { what: 'pipeline timeout as a duration', source: (v) => pipelineSetting(`timeout: ${v}`), max: '"24855d3h14m7s"', tooLarge: '"24855d3h14m8s"', read: (d) => d.platform!['platforms'].kubernetes.pipelineConfig.activeDeadlineSeconds, expected: INT32_MAX },
  // Argo's template parallelism is an int64; KFP v2's IteratorPolicy.parallelism_limit an int32.
  { what: 'loop parallelism (IteratorPolicy.parallelism_limit, int32)', source: loopSource, max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (d) => d.spec['root'].dag.tasks['for-loop-2'].iteratorPolicy.parallelismLimit, expected: INT32_MAX },
  { what: 'ttl (PipelineConfig.resource_ttl_on_completion, int32)', source: (v) => pipelineSetting(`ttl: ${v}`), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (d) => d.platform!['platforms'].kubernetes.pipelineConfig.resourceTtlOnCompletion, expected: INT32_MAX },
  { what: 'retry (RetryPolicy.max_retry_count, int32)', source: (v) => taskSetting(`retry: ${v}`), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (d) => d.spec['root'].dag.tasks['f'].retryPolicy.maxRetryCount, expected: INT32_MAX },
  { what: 'task timeout (KubernetesExecutorConfig.active_deadline_seconds, int64 as text)', source: (v) => taskSetting(`timeout: ${v}`), max: String(INT32_MAX), tooLarge: String(INT32_MAX + 1), read: (d) => d.platform!['platforms'].kubernetes.deploymentSpec.executors['exec-f'].activeDeadlineSeconds, expected: String(INT32_MAX) },
  { what: 'tolerationSeconds (Toleration.toleration_seconds, int64 as text)', source: (v) => taskSetting(`tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: ${v} }]`), max: String(INT64_EXACT), tooLarge: '1e300', read: (d) => d.platform!['platforms'].kubernetes.deploymentSpec.executors['exec-f'].tolerations[0].tolerationSeconds, expected: String(INT64_EXACT) },
  { what: 'gpu (accelerator resourceCount)', source: (v) => taskSetting(`gpu: ${v}`), max: String(INT64_EXACT), tooLarge: '9007199254740992.0', read: (d) => d.spec['deploymentSpec'].executors['exec-f'].container.resources.accelerator.resourceCount, expected: String(INT64_EXACT) },
];

describe('integer settings fit the fields of KFP v2\'s protos', () => {
  it.each(V2_CASES.map((c) => [c.what, c] as const))('%s: the largest value passes and is written exactly', (_what, c) => {
    expect(c.read(v2Documents(c.source(c.max)))).toBe(c.expected);
  });

  it.each(V2_CASES.map((c) => [c.what, c] as const))('%s: one more is refused where it is written', (_what, c) => {
    const text = c.source(c.tooLarge);
    const r = compile(text, 'kfp-v2');
    expect(r.files).toEqual([]);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['KFP5006']);
    const at = text.indexOf(c.tooLarge);
    expect(text.slice(errors[0]!.span!.start, errors[0]!.span!.end)).toContain(c.tooLarge);
    expect(errors[0]!.span!.start).toBeGreaterThanOrEqual(at - 'parallelism '.length);
  });

  it('the int32 refusals name the field and point at kfp-v1, whose Argo field is an int64', () => {
    const r = compile(loopSource('3000000000'), 'kfp-v2');
    expect(r.diagnostics[0]!.message).toBe("3000000000 is too large for KFP v2's IteratorPolicy.parallelism_limit (int32: at most 2147483647)");
    expect(r.diagnostics[0]!.hint).toContain('--target kfp-v1');
    // The same loop builds for Argo, whose field is an int64.
    expect(compile(loopSource('3000000000')).files).not.toEqual([]);
  });

  it.each([
    ['"30s"', '30s'], ['"1m30s"', '90s'], ['"1.5s"', '1.500s'], ['"100ms"', '0.100s'], ['"100ns"', '0.000000100s'], ['"1h0.000001s"', '3600.000001s'], ['"2562047h47m16.854775807s"', '9223372036.854775807s'], ['45', '45s'],
  ])('a backoff of %s is written exactly as a protobuf Duration, %s (never dropped)', (backoff, duration) => {
    const { spec } = v2Documents(taskSetting(`retry: 2\n    backoff: ${backoff}\n    backoff_max: ${backoff}`));
    const policy = spec['root'].dag.tasks['f'].retryPolicy;
    expect(policy).toEqual({ maxRetryCount: 2, backoffDuration: duration, backoffMaxDuration: duration });
  });
});
