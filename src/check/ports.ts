/**
 * A component's inputs and outputs by the name a call or a reference writes (argName, else
 * name), and its passable outputs, made once per component: looking each argument and each
 * reference up by a scan made a call of 100,000 named arguments cost 10^10 comparisons.
 */
import type { IrComponent, IrPort } from '../ir/ir.js';
import { isUiOutput } from './resolved.js';

export interface PortIndex {
  readonly inputs: ReadonlyMap<string, IrPort>;
  readonly outputs: ReadonlyMap<string, IrPort>;
  /** The outputs a task can pass on (all but the KFP UI's). */
  readonly passable: readonly IrPort[];
}

const made = new WeakMap<IrComponent, PortIndex>();

const byWrittenName = (ports: readonly IrPort[]): Map<string, IrPort> => {
  const m = new Map<string, IrPort>();
  // The first of a name wins, as a scan with find() did.
  for (const p of ports) if (!m.has(p.argName ?? p.name)) m.set(p.argName ?? p.name, p);
  return m;
};

export function portIndex(comp: IrComponent): PortIndex {
  let ix = made.get(comp);
  if (!ix) {
    ix = { inputs: byWrittenName(comp.inputs), outputs: byWrittenName(comp.outputs), passable: comp.outputs.filter((o) => !isUiOutput(o.type)) };
    made.set(comp, ix);
  }
  return ix;
}

/** The names a call or a reference writes, for suggestions and listings (read lazily). */
export function* writtenNames(ports: readonly IrPort[]): Iterable<string> {
  for (const p of ports) yield p.argName ?? p.name;
}
