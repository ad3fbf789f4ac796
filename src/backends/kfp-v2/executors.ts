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
import { KFP_V2_RUN_VALUES, runValueName } from '../../check/argo-placeholders.js';
import type { IrComponent, IrPort } from '../../ir/ir.js';
import type { Placeholder } from '../../kfp/component-spec.js';
import { componentSpec } from '../../lower/components.js';
import { pyJsonDumps } from '../../lower/serialize.js';
import { artifactType, parameterType, v2PortName } from './types.js';

export type JsonObject = { [key: string]: unknown };

/** A placeholder of an imported component.yaml that KFP v2 has no spelling for (its message names it). */
export class NoV2Form extends Error {}

function placeholderText(c: IrComponent, p: Placeholder): string {
  // `command: ["echo", run.id]`: KFP v2's launcher fills no run value in a command line.
  if (typeof p === 'string' && KFP_V2_RUN_VALUES.has(p)) throw new NoV2Form(`${runValueName(p)} in a command line (KFP v2 fills run values in task arguments only: make it an input and pass it at the call)`);
  if (typeof p === 'string') return p;
  const n = (name: string): string => v2PortName(c, name);
  if ('inputValue' in p) return `{{$.inputs.parameters['${n(p.inputValue)}']}}`;
  if ('inputPath' in p) return `{{$.inputs.artifacts['${n(p.inputPath)}'].path}}`;
  if ('outputPath' in p) {
    const type = c.outputs.find((o) => o.name === p.outputPath)?.type;
    return type === undefined || parameterType(type) === undefined ? `{{$.outputs.artifacts['${n(p.outputPath)}'].path}}` : `{{$.outputs.parameters['${n(p.outputPath)}'].output_file}}`;
  }
  if ('concat' in p) return p.concat.map((x) => placeholderText(c, x)).join('');
  if ('if' in p) {
    const cond = p.if.cond;
    if (typeof cond !== 'object' || !('isPresent' in cond)) throw new NoV2Form('an `if` placeholder whose condition is not `isPresent`');
    const list = (x: Placeholder[] | Placeholder | undefined): string[] => (x === undefined ? [] : (Array.isArray(x) ? x : [x]).map((y) => placeholderText(c, y)));
    const elseItems = list(p.if.else);
    // KFP's own spelling (kfp/dsl/placeholders.py IfPresentPlaceholder): compact JSON with ", " and ": ".
    return pyJsonDumps({ IfPresent: { InputName: n(cond.isPresent), Then: list(p.if.then), ...(elseItems.length ? { Else: elseItems } : {}) } }, false);
  }
  throw new NoV2Form(`the placeholder \`${JSON.stringify(p)}\``);
}

/**
 * A default as protobuf JSON's `Value` holds it. A kfp v1 component.yaml writes every
 * default as text (`default: '1'`): a number or a boolean is read back, as KFP v2 does
 * when it loads one.
 */
function defaultValue(port: IrPort): unknown {
  const v = port.default?.const;
  if (typeof v !== 'string') return v;
  if ((port.type === 'int' || port.type === 'float') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (port.type === 'bool' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return v;
}

/** `inputDefinitions` / `outputDefinitions` of a component (its ports named as v2 names them: `v2PortName`). */
export function portDefinitions(ports: readonly IrPort[], inputs: boolean, name: (port: IrPort) => string = (p) => p.name): JsonObject | undefined {
  const parameters: JsonObject = {};
  const artifacts: JsonObject = {};
  for (const port of ports) {
    const type = parameterType(port.type);
    if (type === undefined) {
      artifacts[name(port)] = { artifactType: artifactType(port.type), ...(inputs && port.optional ? { isOptional: true } : {}) };
      continue;
    }
    parameters[name(port)] = {
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
  const inputDefinitions = portDefinitions(c.inputs, true, (p) => v2PortName(c, p.name));
  const outputDefinitions = portDefinitions(c.outputs, false, (p) => v2PortName(c, p.name));
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
