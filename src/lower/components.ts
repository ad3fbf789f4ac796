/** IrComponent → kfp v1 ComponentSpec (what component.yaml holds and what each template runs). */
import type { IrComponent } from '../ir/ir.js';
import type { ComponentSpec } from './component-spec.js';
import { buildPythonComponent, type PyInput } from './python-component.js';
import { pythonLiteral, serializeConst } from './serialize.js';

export function componentSpec(c: IrComponent): ComponentSpec {
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
    singleReturn: c.impl.singleReturn,
    body: c.impl.body,
    image: c.impl.image,
    packages: c.impl.packages,
  });
}
