/** IrComponent → kfp v1 ComponentSpec (what component.yaml holds and what each template runs). */
import type { IrCmdItem, IrComponent } from '../ir/ir.js';
import type { ComponentSpec, InputSpec, OutputSpec, Placeholder } from '../kfp/component-spec.js';
import { buildPythonComponent, componentDisplayName, kfpTypeName, type PyInput } from './python-component.js';
import { pythonLiteral, serializeConst } from './serialize.js';

function containerPlaceholder(c: IrComponent, item: IrCmdItem): Placeholder {
  if (typeof item === 'string') return item;
  if ('input' in item) {
    const type = c.inputs.find((i) => i.name === item.input)?.type;
    return type === 'file' ? { inputPath: item.input } : { inputValue: item.input };
  }
  if ('output' in item) return { outputPath: item.output };
  if ('concat' in item) return { concat: item.concat.map((x) => containerPlaceholder(c, x)) };
  return {
    if: {
      cond: { isPresent: item.ifPresent },
      then: item.then.map((x) => containerPlaceholder(c, x)),
      ...(item.else.length ? { else: item.else.map((x) => containerPlaceholder(c, x)) } : {}),
    },
  };
}

function containerComponentSpec(c: IrComponent): ComponentSpec {
  if (c.impl.kind !== 'container') throw new Error('not a container component');
  const impl = c.impl;
  const inputs: InputSpec[] = c.inputs.map((i) => {
    const type = kfpTypeName(i.type);
    return {
      name: i.name,
      ...(type ? { type } : {}),
      ...(i.description ? { description: i.description } : {}),
      ...(i.default ? { default: serializeConst(i.default, i.type) } : {}),
      ...(i.optional ? { optional: true } : {}),
    };
  });
  const outputs: OutputSpec[] = c.outputs.map((o) => {
    const type = kfpTypeName(o.type);
    return { name: o.name, ...(type ? { type } : {}) };
  });
  return {
    name: componentDisplayName(c.name),
    ...(c.description ? { description: c.description } : {}),
    ...(inputs.length ? { inputs } : {}),
    ...(outputs.length ? { outputs } : {}),
    implementation: {
      container: {
        image: impl.image,
        ...(impl.command.length ? { command: impl.command.map((x) => containerPlaceholder(c, x)) } : {}),
        ...(impl.args.length ? { args: impl.args.map((x) => containerPlaceholder(c, x)) } : {}),
        ...(Object.keys(impl.env).length ? { env: impl.env } : {}),
      },
    },
  };
}

export interface ComponentSpecOptions {
  /**
   * The .kfp path a Python component's program names in tracebacks (see compile.ts for the
   * rule); without it the program is kfp's own, with no reference to the source.
   */
  readonly sourcePath?: string;
}

/** Specs made since the process started, for tests that count work: `check` makes only the called components'. */
export const specWork = { made: 0 };

export function componentSpec(c: IrComponent, options: ComponentSpecOptions = {}): ComponentSpec {
  specWork.made++;
  if (c.impl.kind === 'imported') return c.impl.spec as unknown as ComponentSpec;
  if (c.impl.kind === 'container') return containerComponentSpec(c);
  const inputs: PyInput[] = c.inputs.map((i) => ({
    name: i.name,
    type: i.type,
    optional: i.optional,
    ...(i.optional ? { defaultPython: i.default ? pythonLiteral(i.default) : 'None' } : {}),
    ...(i.default ? { defaultKfp: serializeConst(i.default, i.type) } : {}),
    ...(i.description ? { description: i.description } : {}),
  }));
  return buildPythonComponent({
    functionName: c.name,
    ...(c.description ? { description: c.description } : {}),
    inputs,
    outputs: c.outputs.map((o) => ({ name: o.name, type: o.type })),
    // One returned value is returned as itself, whether declared `-> int` or `-> (score: float)`;
    // `-> file` returns nothing (the body writes the file at the path `Output`).
    singleReturn: c.outputs.filter((o) => o.type !== 'file').length === 1,
    body: c.impl.body,
    image: c.impl.image,
    packages: c.impl.packages,
    ...(options.sourcePath !== undefined ? { origin: { path: options.sourcePath, bodyLine: c.impl.bodyLine } } : {}),
  });
}

/** kfp's component_ref annotation: the digest and location of a loaded component.yaml, `{}` for inline ones. */
export function componentRef(c: IrComponent): Record<string, string> {
  return c.impl.kind === 'imported' ? { digest: c.impl.digest, url: c.impl.url } : {};
}
