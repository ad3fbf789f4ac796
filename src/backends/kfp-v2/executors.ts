/**
 * A .kfp component as KFP v2 lays it out: a `ComponentSpec` (its inputs and outputs) in
 * `components`, and a `PipelineContainerSpec` in `deploymentSpec.executors`.
 *
 * The container runs the same command line as the kfp-v1 target (src/lower/components.ts):
 * for a Python component that is kfpdsl's own program, which needs no `kfp` package at run
 * time (KFP's lightweight components pip-install `kfp` and run `kfp.dsl.executor_main`
 * with `{{$}}`). Only the placeholders change, to the ones the v2 launcher fills:
 * an input value is `{{$.inputs.parameters['x']}}`, an input file
 * `{{$.inputs.artifacts['x'].path}}`, a returned output is written to
 * `{{$.outputs.parameters['y'].output_file}}` (the launcher reads it back as the output
 * parameter) and an output file to `{{$.outputs.artifacts['y'].path}}`; kfp v1's
 * `if`/`isPresent` becomes v2's `{"IfPresent": …}` placeholder.
 */
import type { IrComponent, IrPort } from '../../ir/ir.js';
import type { Placeholder } from '../../kfp/component-spec.js';
import { componentSpec } from '../../lower/components.js';
import { pyJsonDumps } from '../../lower/serialize.js';
import { FILE_ARTIFACT_TYPE, parameterType } from './types.js';

export type JsonObject = { [key: string]: unknown };

function placeholderText(c: IrComponent, p: Placeholder): string {
  if (typeof p === 'string') return p;
  if ('inputValue' in p) return `{{$.inputs.parameters['${p.inputValue}']}}`;
  if ('inputPath' in p) return `{{$.inputs.artifacts['${p.inputPath}'].path}}`;
  if ('outputPath' in p) {
    const file = c.outputs.find((o) => o.name === p.outputPath)?.type === 'file';
    return file ? `{{$.outputs.artifacts['${p.outputPath}'].path}}` : `{{$.outputs.parameters['${p.outputPath}'].output_file}}`;
  }
  if ('concat' in p) return p.concat.map((x) => placeholderText(c, x)).join('');
  if ('if' in p) {
    const cond = p.if.cond;
    if (typeof cond !== 'object' || !('isPresent' in cond)) throw new Error('kfp-v2: only isPresent conditions are lowered');
    const list = (x: Placeholder[] | Placeholder | undefined): string[] => (x === undefined ? [] : (Array.isArray(x) ? x : [x]).map((y) => placeholderText(c, y)));
    const elseItems = list(p.if.else);
    // KFP's own spelling (kfp/dsl/placeholders.py IfPresentPlaceholder): compact JSON with ", " and ": ".
    return pyJsonDumps({ IfPresent: { InputName: cond.isPresent, Then: list(p.if.then), ...(elseItems.length ? { Else: elseItems } : {}) } }, false);
  }
  throw new Error(`kfp-v2: a placeholder with no v2 form: ${JSON.stringify(p)}`);
}

/** A default as protobuf JSON's `Value` holds it. */
function defaultValue(port: IrPort): unknown {
  return port.default?.const;
}

/** `inputDefinitions` / `outputDefinitions` of a component. */
export function portDefinitions(ports: readonly IrPort[], inputs: boolean): JsonObject | undefined {
  const parameters: JsonObject = {};
  const artifacts: JsonObject = {};
  for (const port of ports) {
    const type = parameterType(port.type);
    if (type === undefined) {
      artifacts[port.name] = { artifactType: { ...FILE_ARTIFACT_TYPE }, ...(inputs && port.optional ? { isOptional: true } : {}) };
      continue;
    }
    parameters[port.name] = {
      parameterType: type,
      ...(inputs && port.default ? { defaultValue: defaultValue(port) } : {}),
      ...(inputs && port.optional ? { isOptional: true } : {}),
      ...(port.description ? { description: port.description } : {}),
    };
  }
  const out: JsonObject = {};
  if (Object.keys(artifacts).length) out.artifacts = artifacts;
  if (Object.keys(parameters).length) out.parameters = parameters;
  return Object.keys(out).length ? out : undefined;
}

export interface LoweredComponent {
  readonly spec: JsonObject;
  readonly executor: JsonObject;
}

/** `comp-<name>` and `exec-<name>` as KFP names them after the function. */
export function componentKey(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

export function lowerComponent(c: IrComponent, sourcePath: string): LoweredComponent {
  const v1 = componentSpec(c, { sourcePath });
  const container = v1.implementation.container;
  const key = componentKey(c.name);
  const inputDefinitions = portDefinitions(c.inputs, true);
  const outputDefinitions = portDefinitions(c.outputs, false);
  const spec: JsonObject = {
    executorLabel: `exec-${key}`,
    ...(inputDefinitions ? { inputDefinitions } : {}),
    ...(outputDefinitions ? { outputDefinitions } : {}),
  };
  const env = Object.entries(container.env ?? {}).map(([name, value]) => ({ name, value }));
  const executor: JsonObject = {
    container: {
      image: container.image,
      ...(container.command?.length ? { command: container.command.map((p) => placeholderText(c, p)) } : {}),
      ...(container.args?.length ? { args: container.args.map((p) => placeholderText(c, p)) } : {}),
      ...(env.length ? { env } : {}),
    },
  };
  return { spec, executor };
}
