/**
 * A kfp v1 component spec → a `.kfp` component: kfp's generated Python wrapper back to a
 * Python fence, anything else to a container component. Whatever has no `.kfp` form becomes
 * a `# kfpdsl import: not translated:` comment and a warning.
 */
import { pythonProgram, recoverPython } from './python-recover.js';
import { descriptionItem, fence, identifier, keepOrIdentifier, literal, NameTable, notTranslated, str } from './kfp-text.js';
import { isRecord, type ComponentSpec, type SpecIO, type Warnings } from './types.js';

export interface ImportedComponent {
  /** The `.kfp` name of the component. */
  name: string;
  text: string;
  /** Spec input name → `.kfp` parameter name. */
  inputs: Map<string, string>;
  /** Spec output name → `.kfp` output name. */
  outputs: Map<string, string>;
  /** Spec output names that are `file` outputs in `.kfp`. */
  fileOutputs: Set<string>;
  /** `.kfp` input name → its `.kfp` type. */
  inputTypes?: Map<string, string>;
}

const VALUE_TYPES: Record<string, string> = { Integer: 'int', Float: 'float', String: 'str', Boolean: 'bool', JsonArray: 'list', JsonObject: 'dict', Bool: 'bool', Int: 'int', Str: 'str', Dict: 'dict', List: 'list', int: 'int', float: 'float', str: 'str', bool: 'bool', dict: 'dict', list: 'list' };

function typeName(t: unknown): string | undefined {
  if (typeof t === 'string') return t;
  if (isRecord(t)) return Object.keys(t)[0];
  return undefined;
}

export function valueType(t: unknown): string {
  return VALUE_TYPES[typeName(t) ?? ''] ?? 'str';
}

/** A spec default (always text in component.yaml) as a `.kfp` literal of the input's type. */
function defaultLiteral(io: SpecIO, kfpType: string): string | undefined {
  if (io.default === undefined || io.default === null) return io.optional ? 'null' : undefined;
  const d = typeof io.default === 'string' ? io.default : JSON.stringify(io.default);
  switch (kfpType) {
    case 'int':
      return /^-?\d+$/.test(d.trim()) ? d.trim() : str(d);
    case 'float':
      return Number.isFinite(Number(d)) && d.trim() !== '' ? literal(Number(d) % 1 === 0 && !/[.eE]/.test(d) ? Number(d) + 0.0 : Number(d)).replace(/^(-?\d+)$/, '$1.0') : str(d);
    case 'bool':
      return /^(true|1|yes)$/i.test(d.trim()) ? 'true' : /^(false|0|no)$/i.test(d.trim()) ? 'false' : str(d);
    case 'list':
    case 'dict':
      try {
        return literal(JSON.parse(d));
      } catch {
        return str(d);
      }
    default:
      return str(d);
  }
}

type Placeholder = { kind: 'inputValue' | 'inputPath' | 'outputPath'; name: string };

function placeholder(v: unknown): Placeholder | undefined {
  if (!isRecord(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  if ((k === 'inputValue' || k === 'inputPath' || k === 'outputPath') && typeof v[k] === 'string') return { kind: k, name: v[k] };
  return undefined;
}

/** Every placeholder in a command line, to learn which inputs are files. */
function walk(v: unknown, visit: (p: Placeholder) => void): void {
  const p = placeholder(v);
  if (p) return visit(p);
  if (Array.isArray(v)) for (const x of v) walk(x, visit);
  else if (isRecord(v)) for (const x of Object.values(v)) walk(x, visit);
}

export function importComponent(spec: ComponentSpec, at: string, warnings: Warnings, wantedName?: string): ImportedComponent {
  const container = spec.implementation?.container;
  const name = wantedName ?? identifier(spec.name ?? 'component');
  const comments: string[] = [];
  const inputs = new Map<string, string>();
  const outputs = new Map<string, string>();
  const fileOutputs = new Set<string>();
  const names = new NameTable();
  for (const io of spec.inputs ?? []) inputs.set(io.name, names.name(`in:${io.name}`, keepOrIdentifier(io.name)));
  for (const io of spec.outputs ?? []) outputs.set(io.name, names.name(`out:${io.name}`, keepOrIdentifier(io.name)));
  if (!container) {
    const what = spec.implementation?.graph !== undefined ? 'a graph component (implementation.graph)' : 'a component without implementation.container';
    comments.push(notTranslated('  ', warnings.add(`${at}.implementation`, what)));
    return finish({ name, spec, header: `component ${name}()`, items: comments, inputs, outputs, fileOutputs }, at, warnings);
  }
  const program = Array.isArray(container.command) ? pythonProgram(container.command) : undefined;
  const recovered = program ? recoverPython(program.program, program.packages) : undefined;
  if (recovered) {
    const python = pythonComponent(spec, at, recovered, inputs, outputs, fileOutputs, warnings);
    if (python) return finish({ name, spec, ...python, inputs, outputs, fileOutputs }, at, warnings);
  }
  return finish({ name, spec, ...containerComponent(spec, at, inputs, outputs, fileOutputs, warnings), inputs, outputs, fileOutputs }, at, warnings);
}

function finish(c: { name: string; spec: ComponentSpec; header: string; items: string[]; inputs: Map<string, string>; outputs: Map<string, string>; fileOutputs: Set<string> }, at: string, warnings: Warnings): ImportedComponent {
  const desc = descriptionItem('  ', c.spec.description, (what) => warnings.add(`${at}.description`, what));
  const items = desc ? [desc, ...c.items] : c.items;
  return { inputTypes: lastTypes, name: c.name, text: `${c.header.replace(/^component NAME\(/, `component ${c.name}(`).replace(/^component \(/, `component ${c.name}(`)} {\n${items.join('\n')}\n}\n`, inputs: c.inputs, outputs: c.outputs, fileOutputs: c.fileOutputs };
}

function signature(name: string, params: string[], outs: string[]): string {
  const out = outs.length === 0 ? '' : ` -> (${outs.join(', ')})`;
  return `component ${name}(${params.join(', ')})${out}`;
}

let lastTypes = new Map<string, string>();

function paramList(spec: ComponentSpec, inputs: Map<string, string>, typeOf: (io: SpecIO) => string): string[] {
  lastTypes = new Map();
  for (const io of spec.inputs ?? []) lastTypes.set(inputs.get(io.name)!, typeOf(io));
  const required: string[] = [];
  const optional: string[] = [];
  for (const io of spec.inputs ?? []) {
    const t = typeOf(io);
    const d = t === 'file' ? (io.optional || io.default !== undefined ? 'null' : undefined) : defaultLiteral(io, t);
    const p = `${inputs.get(io.name)}: ${t}`;
    if (d === undefined) required.push(p);
    else optional.push(`${p} = ${d}`);
  }
  return [...required, ...optional];
}

function pythonComponent(
  spec: ComponentSpec,
  at: string,
  py: NonNullable<ReturnType<typeof recoverPython>>,
  inputs: Map<string, string>,
  outputs: Map<string, string>,
  fileOutputs: Set<string>,
  warnings: Warnings,
): { header: string; items: string[] } | undefined {
  const container = spec.implementation!.container!;
  // Which flag carries which input or output, from kfp's args (`--x`, {inputValue: x}).
  const byFlag = new Map<string, Placeholder>();
  const returned: string[] = [];
  const scan = (args: readonly unknown[]): void => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '----output-paths') {
        for (i++; i < args.length; i++) {
          const p = placeholder(args[i]);
          if (!p || p.kind !== 'outputPath') return void i--;
          returned.push(p.name);
        }
      } else if (typeof a === 'string' && a.startsWith('--')) {
        const p = placeholder(args[i + 1]);
        if (p) byFlag.set(a, p), i++;
      } else if (isRecord(a) && isRecord(a['if']) && Array.isArray(a['if']['then'])) scan(a['if']['then']);
    }
  };
  scan(container.args ?? []);
  const fileInputs = new Set<string>();
  for (const p of byFlag.values()) if (p.kind === 'inputPath') fileInputs.add(p.name);
  if (returned.length !== py.returned) return undefined;
  const prelude: string[] = [];
  for (const [flag, { dest, type }] of py.params) {
    const p = byFlag.get(flag);
    if (!p) return undefined;
    const kfpName = p.kind === 'outputPath' ? outputs.get(p.name) : inputs.get(p.name);
    if (kfpName === undefined) return undefined;
    if (p.kind === 'outputPath') fileOutputs.add(p.name);
    const mode = /FileType\('(\w+)'\)|returns_open_file\('(\w+)'\)/.exec(type);
    if (mode && p.kind === 'outputPath') {
      if (!prelude.includes('import os')) prelude.unshift('import os');
      prelude.push(`os.makedirs(os.path.dirname(${kfpName}) or ".", exist_ok=True)`, `${dest} = open(${kfpName}, ${str(mode[2] ?? mode[1]!)})`);
    } else if (mode) {
      const optional = (spec.inputs ?? []).find((io) => io.name === p.name)?.optional;
      prelude.push(`${dest} = open(${kfpName}, ${str(mode[1]!)})${optional ? ` if ${kfpName} is not None else None` : ''}`);
    }
    else if (dest !== kfpName) prelude.push(`${dest} = ${kfpName}`);
  }
  for (const io of spec.outputs ?? []) if (!fileOutputs.has(io.name) && !returned.includes(io.name)) return undefined;
  const params = paramList(spec, inputs, (io) => (fileInputs.has(io.name) ? 'file' : valueType(io.type)));
  const outs = (spec.outputs ?? []).map((io) => `${outputs.get(io.name)}: ${fileOutputs.has(io.name) ? 'file' : valueType(io.type)}`);
  let header = signature('', params, outs);
  if (returned.length === 1 && py.singleReturn && outputs.get(returned[0]!) === 'Output' && outs.length === 1) header = `${signature('', params, [])} -> ${valueType(spec.outputs![0]!.type)}`;
  else if (returned.length > 1 || (returned.length === 1 && !py.singleReturn)) {
    // A NamedTuple with one field, or several: .kfp returns a tuple in the outputs' order, as kfp.
    const order = (spec.outputs ?? []).filter((o) => returned.includes(o.name)).map((o) => o.name);
    if (order.join('\n') !== returned.join('\n')) return undefined;
    if (returned.length === 1) return undefined;
  }
  const items = [`  image: ${str(container.image ?? 'python:3.7')}`];
  if (py.packages.length > 0) items.push(`  packages: [${py.packages.map(str).join(', ')}]`);
  if (container.env && Object.keys(container.env).length > 0) items.push(`  env: ${literal(container.env)}`);
  const code = [...prelude, ...(prelude.length > 0 ? [''] : []), py.body].join('\n');
  const f = fence('python', code, '  ');
  if (!f) {
    items.push(notTranslated('  ', warnings.add(`${at}.implementation.container.command`, 'the Python program holds a line starting with ``` which would close the fence')));
  } else items.push(f);
  return { header, items };
}

function expr(v: unknown, at: string, names: Map<string, string>, warnings: Warnings, comments: string[]): string {
  const p = placeholder(v);
  if (p) return names.get(`${p.kind === 'outputPath' ? 'out' : 'in'}:${p.name}`) ?? unknown(`a placeholder naming \`${p.name}\`, which the component does not declare`);
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return str(String(v));
  if (isRecord(v) && Array.isArray(v['concat'])) return `concat(${v['concat'].map((x, i) => expr(x, `${at}.concat[${i}]`, names, warnings, comments)).join(', ')})`;
  if (isRecord(v) && isRecord(v['if'])) {
    const c = v['if'];
    const cond = isRecord(c['cond']) ? c['cond']['isPresent'] : undefined;
    const inName = typeof cond === 'string' ? names.get(`in:${cond}`) : undefined;
    if (inName) {
      const list = (x: unknown, key: string): string => `[${(Array.isArray(x) ? x : x === undefined ? [] : [x]).map((e, i) => expr(e, `${at}.if.${key}[${i}]`, names, warnings, comments)).join(', ')}]`;
      return `if_present(${inName}, ${list(c['then'], 'then')}${c['else'] !== undefined ? `, ${list(c['else'], 'else')}` : ''})`;
    }
  }
  return unknown(`the placeholder ${JSON.stringify(v)}`);
  function unknown(what: string): string {
    comments.push(notTranslated('  ', warnings.add(at, what)));
    return str('');
  }
}

function containerComponent(
  spec: ComponentSpec,
  at: string,
  inputs: Map<string, string>,
  outputs: Map<string, string>,
  fileOutputs: Set<string>,
  warnings: Warnings,
): { header: string; items: string[] } {
  const container = spec.implementation!.container!;
  const fileInputs = new Set<string>();
  walk([container.command, container.args], (p) => {
    if (p.kind === 'inputPath') fileInputs.add(p.name);
  });
  const names = new Map<string, string>();
  for (const [k, v] of inputs) names.set(`in:${k}`, v);
  for (const [k, v] of outputs) names.set(`out:${k}`, v);
  const comments: string[] = [];
  const params = paramList(spec, inputs, (io) => (fileInputs.has(io.name) ? 'file' : valueType(io.type)));
  const outs = (spec.outputs ?? []).map((io) => {
    const t = VALUE_TYPES[typeName(io.type) ?? ''];
    if (!t) fileOutputs.add(io.name);
    return `${outputs.get(io.name)}: ${t ?? 'file'}`;
  });
  const items = [`  image: ${str(container.image ?? '')}`];
  const list = (key: 'command' | 'args'): void => {
    const v = container[key];
    if (!Array.isArray(v) || v.length === 0) return;
    items.push(`  ${key}: [${v.map((x, i) => expr(x, `${at}.implementation.container.${key}[${i}]`, names, warnings, comments)).join(', ')}]`);
  };
  list('command');
  list('args');
  if (container.env && Object.keys(container.env).length > 0) items.push(`  env: ${literal(container.env)}`);
  if (container.fileOutputs) comments.push(notTranslated('  ', warnings.add(`${at}.implementation.container.fileOutputs`, 'fileOutputs (outputs read from fixed paths)')));
  return { header: signature('NAME', params, outs), items: [...comments, ...items] };
}
