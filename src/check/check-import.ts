/**
 * `import "train.component.yaml" as train`: loads a kfp v1 component.yaml as the kfp SDK's
 * load_component_from_file does, but safely (no merge keys, few aliases, duplicate keys
 * rejected, plain data only) and with every problem reported at its place in that file.
 * Only files inside the project root are read, only regular ones, and a file's content is
 * quoted in a diagnostic only when it is recognisably a component.
 */
import { createHash } from 'node:crypto';
import YAML, { isMap, isScalar } from 'yaml';
import { diag } from '../diagnostics/catalog.js';
import { PYYAML } from '../kfp/pyyaml.js';
import type { IrComponent, IrPort, IrType, Json } from '../ir/ir.js';
import type { ComponentSpec, Placeholder } from '../kfp/component-spec.js';
import type { FileHost } from '../project/file-host.js';
import { importTarget } from '../project/confine.js';
import { componentSchemaErrorsDetailed } from '../schema/validators.js';
import { SourceFile } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { findArgoTags, tagMessage } from './argo-placeholders.js';
import { CheckContext } from './context.js';
import { yamlErrorMessage } from './yaml-error.js';
import { jsonPointer, yamlOffset } from './yaml-locate.js';

/** kfp type names (and their aliases in kfp's _data_passing.py) → .kfp types. */
const TYPES: Record<string, IrType> = {
  String: 'str', str: 'str', Integer: 'int', int: 'int', Float: 'float', float: 'float',
  Boolean: 'bool', Bool: 'bool', bool: 'bool', JsonArray: 'list', List: 'list', list: 'list',
  JsonObject: 'dict', Dictionary: 'dict', Dict: 'dict', dict: 'dict',
};

const MAX_COMPONENT_BYTES = 4 * 1024 * 1024;

export function identifierFor(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (/^[0-9]/.test(s) || s === '') s = `x_${s}`;
  return s;
}

function placeholderRefs(items: readonly Placeholder[] | undefined, refs: { inputs: Map<string, 'value' | 'path' | 'present'>; outputs: Set<string> }): void {
  for (const p of items ?? []) {
    if (typeof p === 'string') continue;
    if ('inputValue' in p) refs.inputs.set(p.inputValue, refs.inputs.get(p.inputValue) === 'path' ? 'path' : 'value');
    else if ('inputPath' in p) refs.inputs.set(p.inputPath, 'path');
    else if ('outputPath' in p) refs.outputs.add(p.outputPath);
    else if ('concat' in p) placeholderRefs(p.concat, refs);
    else if ('isPresent' in p) {
      if (!refs.inputs.has(p.isPresent)) refs.inputs.set(p.isPresent, 'present');
    } else if ('if' in p) {
      placeholderRefs([p.if.cond as Placeholder], refs);
      for (const b of [p.if.then, p.if.else]) if (b !== undefined) placeholderRefs(Array.isArray(b) ? b : [b], refs);
    }
  }
}

export interface ImportOptions {
  /** The project root, absolute: no import may leave it. */
  readonly root: string;
  /** Where imported files are read from: the check phase never touches the file system itself. */
  readonly host: FileHost;
}

/** An imported file, read: its text and where it is (as requested, and with links resolved). */
export interface ImportedText {
  readonly text: string;
  /** The absolute path the import names, before symbolic links are resolved (what diagnostics show). */
  readonly requested: string;
  /** The same with every link resolved: a module's identity (for cycles and caching). */
  readonly real: string;
}

/**
 * The text of the imported file, or undefined after reporting why it may not be read. The
 * order matters: nothing outside the project root is touched at all (not even stat), symbolic
 * links are resolved before the root check is repeated, and only regular files are opened.
 */
export function readImport(ctx: CheckContext, imp: ast.ImportDecl, options: ImportOptions, kind: 'component' | 'module' = 'component'): ImportedText | undefined {
  const { host, root } = options;
  const what = kind === 'module' ? 'a .kfp module' : 'a component.yaml file';
  const at = (name: 'InvalidImport' | 'ImportOutsideProject' | 'ImportNotAFile', message: string, hint?: string) => {
    // A module that cannot be read has a code of its own: InvalidImport is about component.yaml files.
    ctx.report(name === 'InvalidImport' && kind === 'module' ? 'UnreadableModule' : name, message, imp.pathSpan, { hint });
    return undefined;
  };
  if (imp.path === '') return at('InvalidImport', 'the import path is empty', `name ${what}, relative to this .kfp file`);
  if (imp.path.includes('\0')) return at('InvalidImport', 'the import path holds a NUL character');
  const rootHint = `imports stay inside the project root \`${host.displayPath(root)}\` (the nearest directory above the .kfp file holding .git, package.json or kfpdsl.yaml, or --root DIR)`;
  const target = importTarget(host, root, ctx.file.path, imp.path, kind === 'module');
  switch (target.kind) {
    case 'outside':
      return at('ImportOutsideProject', `\`${imp.path}\` is outside the project root`, rootHint);
    case 'error':
      if (kind === 'module' && target.code === 'ENOENT') return at('InvalidImport', `no such module: \`${imp.path}\``, `paths are relative to this .kfp file (\`${host.displayPath(target.requested)}\` does not exist)`);
      return at('InvalidImport', `cannot read \`${imp.path}\`: ${target.code}`, 'paths are relative to this .kfp file');
    case 'link-outside':
      return at('ImportOutsideProject', `\`${imp.path}\` is a symbolic link to a file outside the project root`, rootHint);
    case 'not-kfp':
      return at('ImportNotAFile', `\`${imp.path}\` is a symbolic link to a file not named *.kfp`, 'import a .kfp module (its content is not shown)');
    case 'inside':
      break;
  }
  const { requested, real } = target;
  const r = host.readRegularFile(real, MAX_COMPONENT_BYTES);
  switch (r.kind) {
    case 'text':
      return { text: r.text, requested, real };
    case 'directory':
      return at('ImportNotAFile', `\`${imp.path}\` is a directory`, `import ${what}`);
    case 'special':
      return at('ImportNotAFile', `\`${imp.path}\` is not a regular file (a FIFO, socket, device or kernel file)`, `import ${what}`);
    case 'too-large':
      return at('ImportNotAFile', `\`${imp.path}\` is larger than ${MAX_COMPONENT_BYTES / 1024 / 1024} MiB`, what === 'a component.yaml file' ? 'a component.yaml is a few kilobytes; is this the right file?' : 'is this the right file?');
    case 'error':
      return at('InvalidImport', `cannot read \`${imp.path}\`: ${r.code}`, 'paths are relative to this .kfp file');
  }
}

/**
 * Whether a parsed file is recognisably a kfp v1 component, so that its lines may be quoted:
 * a mapping whose `implementation` is a mapping holding a `container` or `graph` mapping.
 * A bare `implementation:` key is not enough (a secrets file may have one).
 */
function looksLikeComponent(doc: YAML.Document): boolean {
  if (!isMap(doc.contents)) return false;
  const impl = doc.contents.get('implementation', true);
  return isMap(impl) && (isMap(impl.get('container', true)) || isMap(impl.get('graph', true)));
}

/** A component.yaml imported `as name`. */
export function checkImport(ctx: CheckContext, imp: ast.ImportDecl & { name: ast.Identifier }, options: ImportOptions): IrComponent | undefined {
  const read = readImport(ctx, imp, options);
  if (read === undefined) return undefined;
  const text = read.text;
  const file = new SourceFile(imp.path.startsWith('/') ? imp.path : options.host.displayPath(read.requested), text);
  const inFile = (message: string, offset: number, hint?: string) => {
    ctx.diagnostics.push(diag('InvalidImport', message, { file, span: { start: offset, end: Math.min(text.length, offset + 1) }, hint, related: [ctx.related(imp.pathSpan, 'imported here')] }));
    return undefined;
  };
  const doc = YAML.parseDocument(file.text, { ...PYYAML, merge: false, uniqueKeys: true, prettyErrors: false });
  // Only a file that is recognisably a component is quoted in diagnostics: anything else
  // (a .env, a key, a secrets.yaml, one that merely has an `implementation:` key) is
  // reported at the import, its content never shown, nor YAML's message (it may quote a key).
  if (!looksLikeComponent(doc)) {
    const why = doc.errors.length > 0
      ? `it is not valid YAML (line ${file.positionAt(doc.errors[0]!.pos[0]).line})`
      : !isMap(doc.contents) ? 'its top level is not a mapping' : doc.contents.has('implementation') ? 'its `implementation` holds no `container` or `graph` mapping' : 'it has no `implementation`';
    ctx.report('InvalidImport', `\`${imp.path}\` is not a kfp v1 component: ${why}`, imp.pathSpan, { hint: 'kfpdsl loads the kfp v1 component.yaml format (name, inputs, outputs, implementation); the content of other files is not shown' });
    return undefined;
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return inFile(`invalid YAML: ${yamlErrorMessage(e.message)}`, e.pos[0]);
  }
  let spec: unknown;
  try {
    spec = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return inFile(`cannot load: ${yamlErrorMessage(e instanceof Error ? e.message : String(e))}`, 0);
  }
  // A `"\uD800"` escape loads as a lone surrogate, which no output (UTF-8, YAML) can hold.
  let surrogate: number | undefined;
  YAML.visit(doc, { Scalar: (_k, n) => { if (surrogate === undefined && typeof n.value === 'string' && /\p{Cs}/u.test(n.value)) surrogate = n.range?.[0] ?? 0; } });
  if (surrogate !== undefined) return inFile('this string holds half of a UTF-16 surrogate pair, which Kubernetes cannot carry', surrogate, 'write the character itself, or both halves of the pair');
  const nodeOffset = (instancePath: string): number => yamlOffset(doc, jsonPointer(instancePath));
  const keyOffset = (instancePath: string, key: string): number => {
    const parts = instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
    const map = doc.getIn(parts, true);
    if (isMap(map)) {
      const pair = map.items.find((it) => isScalar(it.key) && it.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    return nodeOffset(instancePath);
  };
  const errors = componentSchemaErrorsDetailed(spec);
  if (errors.length > 0) {
    // An unknown key is the usual mistake (`comand:`): point at the key itself, else at the offending value.
    const e = errors.find((x) => x.key !== undefined) ?? errors[0]!;
    const offset = e.key !== undefined ? keyOffset(e.path, e.key) : nodeOffset(e.path);
    return inFile(`not a kfp v1 component: ${e.path || '/'} ${e.message}`, offset, 'kfpdsl loads the kfp v1 component.yaml format (name, inputs, outputs, implementation.container)');
  }
  const s = spec as ComponentSpec;
  const ports = componentPorts(s);
  if ('error' in ports) return inFile(ports.error, nodeOffset(ports.path));
  const { inputs, outputs } = ports;
  const graph = (spec as { implementation: { graph?: { tasks: Record<string, { componentRef: { url?: string; spec?: unknown } }> } } }).implementation.graph;
  const ir: IrComponent = {
    name: imp.name.name,
    ...(s.description ? { description: s.description } : {}),
    inputs,
    outputs,
    impl: {
      kind: 'imported',
      // A graph component's tasks name other components, usually by URL: kfpdsl can check calls to it but not lower them offline.
      ...(graph ? { graphRefs: Object.values(graph.tasks).map((t) => t.componentRef.url ?? '(inline spec)') } : {}),
      spec: spec as { [key: string]: Json },
      url: imp.path,
      digest: createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex'),
    },
    origin: { start: imp.span.start, end: imp.span.end, file: ctx.file.path },
  };
  sources.set(ir, { file, doc, requested: read.requested, imp });
  reportTags(ctx, file, doc, imp);
  return ir;
}

/**
 * Text Argo (or KFP v2) would substitute, written literally in a component.yaml (`command: [sh,
 * -c, 'echo {{inputs.parameters.x}}']`): the same hazard as in a .kfp string, warned at its
 * place in that file. Its own `{inputValue: x}` placeholders are structures, not text.
 */
function reportTags(ctx: CheckContext, file: SourceFile, doc: YAML.Document, imp: ast.ImportDecl): void {
  if (!file.text.includes('{{')) return;
  YAML.visit(doc, {
    Scalar: (key, n) => {
      if (key === 'key' || typeof n.value !== 'string' || !n.range) return;
      for (const t of findArgoTags(n.value)) {
        const { message, label } = tagMessage(t);
        // Located at the tag when the file spells it as the value does (plain or simply quoted), else at the value.
        const raw = file.text.indexOf(t.tag, n.range[0]);
        const span = raw >= 0 && raw + t.tag.length <= n.range[1] ? { start: raw, end: raw + t.tag.length } : { start: n.range[0], end: n.range[1] };
        ctx.diagnostics.push(diag('ArgoPlaceholder', message, { file, span, label, hint: IMPORTED_TAG_HINT, related: [ctx.related(imp.pathSpan, 'imported here')] }));
      }
    },
  });
}

const IMPORTED_TAG_HINT = 'use the component\'s own placeholders (`{inputValue: x}`, `{outputPath: y}`); to keep the text, split it so that no `{{` remains';

/** Where an imported component came from: its parsed file (to point at its lines) and the import. */
export interface ImportedSource {
  readonly file: SourceFile;
  readonly doc: YAML.Document;
  /** Its absolute path, as imported (links not resolved): what a graph's `url:` is compared with. */
  readonly requested: string;
  readonly imp: ast.ImportDecl & { name: ast.Identifier };
}

const sources = new WeakMap<IrComponent, ImportedSource>();

/** The file an imported component was loaded from; graph components need it to resolve and locate their tasks. */
export function importedSource(c: IrComponent): ImportedSource | undefined {
  return sources.get(c);
}

/**
 * A component's inputs and outputs as .kfp sees them (types, identifier names, defaults), or
 * the first problem with its declarations and the JSON path (relative to the spec) to blame.
 * Used for imported files and for the inline specs of a graph component's tasks.
 */
export function componentPorts(s: ComponentSpec): { inputs: IrPort[]; outputs: IrPort[] } | { error: string; path: string } {
  const inputNames = new Set<string>();
  for (const [i, input] of (s.inputs ?? []).entries()) {
    if (inputNames.has(input.name)) return { error: `input \`${input.name}\` is declared twice`, path: `/inputs/${i}` };
    inputNames.add(input.name);
  }
  const outputNames = new Set<string>();
  for (const [i, output] of (s.outputs ?? []).entries()) {
    if (outputNames.has(output.name)) return { error: `output \`${output.name}\` is declared twice`, path: `/outputs/${i}` };
    outputNames.add(output.name);
  }
  const refs = { inputs: new Map<string, 'value' | 'path' | 'present'>(), outputs: new Set<string>() };
  const container = s.implementation.container as ComponentSpec['implementation']['container'] | undefined;
  if (container) {
    placeholderRefs(container.command, refs);
    placeholderRefs(container.args, refs);
  }
  for (const name of refs.inputs.keys()) if (!inputNames.has(name)) return { error: `a placeholder refers to undeclared input \`${name}\``, path: '/implementation/container' };
  for (const name of refs.outputs) if (!outputNames.has(name)) return { error: `a placeholder refers to undeclared output \`${name}\``, path: '/implementation/container' };
  const used = new Set<string>();
  const port = (name: string, typeName: unknown, output: boolean, optional: boolean): IrPort => {
    const mapped = typeof typeName === 'string' ? TYPES[typeName] : undefined;
    const type: IrType = output ? (mapped ?? 'file') : refs.inputs.get(name) === 'path' ? 'file' : (mapped ?? 'str');
    let argName = identifierFor(name);
    for (let k = 2; used.has(argName); k++) argName = `${identifierFor(name)}_${k}`;
    used.add(argName);
    return {
      name,
      ...(argName !== name ? { argName } : {}),
      type,
      ...(typeof typeName === 'string' && !mapped ? { kfpType: typeName } : {}),
      optional,
    };
  };
  const inputs = (s.inputs ?? []).map((i) => port(i.name, i.type, false, i.optional === true || i.default !== undefined));
  used.clear();
  const outputs = (s.outputs ?? []).map((o) => port(o.name, o.type, true, false));
  // Inputs with defaults keep them: kfp passes the default when no argument is given.
  for (const [k, i] of (s.inputs ?? []).entries()) if (i.default !== undefined) inputs[k]!.default = { const: String(i.default) };
  return { inputs, outputs };
}

/** A kfp type name as .kfp's type, when it is one of kfp's primitive types (or an alias of one). */
export function primitiveType(kfpType: unknown): IrType | undefined {
  return typeof kfpType === 'string' ? TYPES[kfpType] : undefined;
}

