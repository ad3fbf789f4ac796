/**
 * Checks a component declaration and turns it into an IrComponent: names that become
 * Python parameters are valid identifiers, types are known, defaults fit their types,
 * settings are known and well-formed, and there is code to run.
 */
import { keyedObject } from '../ir/ir.js';
import { WORKFLOW_VALUES } from './argo-placeholders.js';
import type { IrCmdItem, IrComponent, IrPort, IrType } from '../ir/ir.js';
import type * as ast from '../syntax/ast.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { CheckContext, constType, constValue } from './context.js';
import { ARGO_NAME_MAX } from './name-limits.js';
import { checkMetricsLiterals } from './metrics.js';
import { checkPythonFence } from './python/check-fence.js';
import { pythonNameProblem } from './python-names.js';
import { assignable, describeType, INPUT_TYPES, OUTPUT_TYPES } from './types.js';

/** The image Python components run in unless they say otherwise (kfp v1 used python:3.7, long past its end of life). */
export const DEFAULT_PYTHON_IMAGE = 'python:3.11';

const COMPONENT_SETTINGS = ['image', 'packages', 'command', 'args', 'env'];

/** Stands for the name maps of a component without outputs: nothing is ever added to it. */
const NO_NAMES: ReadonlyMap<string, ast.Identifier> = new Map();

export function checkIdentifier(ctx: CheckContext, id: ast.Identifier, what: string): void {
  const problem = pythonNameProblem(id.name);
  if (problem) {
    ctx.report('InvalidIdentifier', `${what} \`${id.name}\` is not a valid Python name`, id.span, {
      label: problem,
      hint: `rename it, e.g. \`${id.name.replace(/^_+/, '')}_\``,
    });
  }
}

export function checkType(ctx: CheckContext, t: ast.Identifier, allowed: readonly string[], where: string): IrType | undefined {
  if (allowed.includes(t.name)) return t.name as IrType;
  const hint = didYouMean(t.name, allowed) ?? `${where} types are ${allowed.map((a) => `\`${a}\``).join(', ')}`;
  ctx.report('UnknownType', `unknown type \`${t.name}\``, t.span, { label: 'not a type', hint });
  return undefined;
}

/** Checks a parameter list's names, types and defaults; shared by components and pipelines. */
export function checkParams(ctx: CheckContext, params: readonly ast.ParamDecl[], allowed: readonly string[], what: string): IrPort[] {
  const seen = new Map<string, ast.Identifier>();
  const out: IrPort[] = [];
  let firstOptional: ast.ParamDecl | undefined;
  for (const p of params) {
    checkIdentifier(ctx, p.name, what);
    const prev = seen.get(p.name.name);
    if (prev) {
      ctx.report('DuplicateName', `${what} \`${p.name.name}\` is declared twice`, p.name.span, { label: 'declared again here', related: [ctx.related(prev.span, 'first declared here')] });
      continue;
    }
    seen.set(p.name.name, p.name);
    const type = checkType(ctx, p.type, allowed, what);
    const port: IrPort = { name: p.name.name, type: type ?? 'str', optional: false };
    if (p.default) {
      port.optional = true;
      firstOptional ??= p;
      const value = constValue(p.default);
      if (!value) {
        ctx.report('InvalidDefault', 'a default must be a literal value', p.default.span, { hint: 'e.g. `n: int = 2` or `names: list = ["a", "b"]`' });
      } else if (type) {
        const vt = constType(value);
        if (vt !== 'null' && (type === 'file' || !assignable(vt, type))) {
          ctx.report('InvalidDefault', `default of type \`${describeType(vt)}\` does not fit \`${p.name.name}: ${type}\``, p.default.span, {
            hint: type === 'file' ? 'a file input may only default to `null`' : undefined,
          });
        } else if (vt !== 'null') port.default = value;
      }
    } else if (firstOptional) {
      ctx.report('RequiredAfterOptional', `required ${what} \`${p.name.name}\` follows an optional one`, p.name.span, {
        hint: 'Python requires parameters with defaults to come last; move it before the ones with defaults',
        related: [ctx.related(firstOptional.name.span, 'first optional one here')],
      });
    }
    out.push(port);
  }
  return out;
}

function stringSetting(ctx: CheckContext, s: ast.Setting): string | undefined {
  if (s.value.kind === 'Literal' && typeof s.value.value === 'string' && s.value.value.trim() !== '') return s.value.value;
  ctx.report('InvalidSetting', `\`${s.name.name}\` must be a non-empty string`, s.value.span, { hint: `e.g. ${s.name.name}: "python:3.11"` });
  return undefined;
}

function stringListSetting(ctx: CheckContext, s: ast.Setting): string[] | undefined {
  if (s.value.kind === 'ListExpr' && s.value.items.every((i) => i.kind === 'Literal' && typeof i.value === 'string')) {
    return s.value.items.map((i) => (i as ast.Literal).value as string);
  }
  ctx.report('InvalidSetting', `\`${s.name.name}\` must be a list of strings`, s.value.span, { hint: 'e.g. packages: ["pandas==2.2.2", "numpy"]' });
  return undefined;
}

/** Images without a tag (or with `:latest`) change under a pipeline between runs and defeat caching. */
export function checkImageTag(ctx: CheckContext, image: string, span: ast.Setting['span']): void {
  const lastSegment = image.split('/').pop() ?? image;
  if (image.includes('@sha256:')) return;
  if (!lastSegment.includes(':')) {
    ctx.report('ImageWithoutTag', `image \`${image}\` has no tag`, span, { hint: `pin a version, e.g. \`${image}:1.2.3\`, so that runs are reproducible` });
  } else if (lastSegment.endsWith(':latest')) {
    ctx.report('ImageWithoutTag', `image \`${image}\` uses \`:latest\``, span, { hint: 'pin a version so that runs are reproducible and caching stays correct' });
  }
}

export function checkComponent(ctx: CheckContext, c: ast.ComponentDecl): IrComponent {
  checkIdentifier(ctx, c.name, 'component');
  if (c.name.name.length > ARGO_NAME_MAX) {
    ctx.report('NameTooLong', `component name is ${c.name.name.length} characters; Argo template names have at most ${ARGO_NAME_MAX}`, c.name.span, { hint: 'use a shorter name' });
  }
  const inputs = checkParams(ctx, c.params, INPUT_TYPES, 'input');
  const outputs: IrPort[] = [];
  // The maps below are made only when there is something to put in them: a file of 100,000
  // components pays for every allocation here 100,000 times.
  const declaredOutputs = c.returns?.outputs ?? [];
  const inputNames = declaredOutputs.length ? new Map(c.params.map((p) => [p.name.name, p.name] as const)) : NO_NAMES;
  let outNames: Map<string, ast.Identifier> | undefined;
  for (const o of declaredOutputs) {
    if (!c.returns?.single) checkIdentifier(ctx, o.name, 'output');
    const clash = inputNames.get(o.name.name) ?? outNames?.get(o.name.name);
    if (clash) {
      ctx.report('DuplicateName', `output \`${o.name.name}\` has the name of another input or output`, o.name.span, { related: [ctx.related(clash.span, 'also declared here')] });
      continue;
    }
    (outNames ??= new Map()).set(o.name.name, o.name);
    if (o.default) ctx.report('OutputWithDefault', 'outputs cannot have defaults', o.default.span);
    const type = checkType(ctx, o.type, OUTPUT_TYPES, 'output');
    outputs.push({ name: o.name.name, type: type ?? 'str', optional: false });
  }
  let image: string | undefined;
  let packages: string[] = [];
  let command: ast.Setting | undefined;
  let args: ast.Setting | undefined;
  let env: Record<string, string> = keyedObject<string>();
  const seen = new Map<string, ast.Setting>();
  for (const s of c.settings) {
    if (!ctx.firstSetting(seen, s)) continue;
    if (s.upper) ctx.report('InvalidSetting', `\`${s.name.name}\` does not take a range`, s.upper.span);
    switch (s.name.name) {
      case 'image':
        image = stringSetting(ctx, s);
        if (image) checkImageTag(ctx, image, s.value.span);
        break;
      case 'packages':
        packages = stringListSetting(ctx, s) ?? [];
        break;
      case 'command':
        command = s;
        break;
      case 'args':
        args = s;
        break;
      case 'env':
        env = envMap(ctx, s) ?? {};
        break;
      default:
        ctx.report('UnknownSetting', `unknown component setting \`${s.name.name}\``, s.name.span, {
          hint: didYouMean(s.name.name, COMPONENT_SETTINGS) ?? `components have ${COMPONENT_SETTINGS.map((x) => `\`${x}\``).join(', ')}`,
        });
    }
  }
  // Keys in this order (name, description, inputs, outputs, origin, impl), without spreads, and
  // in one literal: added one by one, they went to a second store beside the object, as the
  // origin's file did (set by declareScope), two more objects for each of 100,000 components.
  const origin = { start: c.span.start, end: c.span.end, file: ctx.file.path };
  const withImpl = (impl: IrComponent['impl']): IrComponent =>
    c.description ? { name: c.name.name, description: c.description.text, inputs, outputs, origin, impl } : { name: c.name.name, inputs, outputs, origin, impl };
  if (!c.code && (command || args)) {
    // A container component: the image's own program, called with a command line built from the inputs and outputs.
    if (!image) ctx.report('MissingImplementation', `container component \`${c.name.name}\` needs an \`image\``, c.name.span, { hint: 'e.g. image: "alpine:3.19"' });
    if (packages.length) ctx.report('SettingForOtherKind', '`packages` only applies to Python components', seen.get('packages')!.name.span);
    if (c.returns?.single) ctx.report('UnnamedContainerOutput', 'a container component names its outputs', c.returns.span, { hint: 'e.g. -> (out: file), then use `out` in the command' });
    const names = new Map<string, IrPort & { output: boolean }>();
    for (const i of inputs) names.set(i.name, { ...i, output: false });
    for (const o of outputs) names.set(o.name, { ...o, output: true });
    const cmd = command ? commandLine(ctx, command, names) : [];
    const argv = args ? commandLine(ctx, args, names) : [];
    return withImpl({ kind: 'container', image: image ?? 'missing', command: cmd, args: argv, env });
  }
  if (command || args) {
    ctx.report('ConflictingImplementation', 'a component has either a ```python block or a command, not both', (command ?? args)!.name.span);
  }
  if (Object.keys(env).length) ctx.report('SettingForOtherKind', '`env` on a component only applies to container components; set env on the task', seen.get('env')!.name.span);
  if (!c.code) {
    ctx.report('MissingImplementation', `component \`${c.name.name}\` has no code`, c.name.span, { hint: 'add the function body in a ```python … ``` block, or give an image and a command' });
  } else if (c.code.language !== 'python') {
    ctx.report('NonPythonCode', `code blocks must be Python, not \`${c.code.language}\``, { start: c.code.span.start, end: c.code.span.start + 3 + c.code.language.length }, { hint: 'start the block with ```python' });
  } else {
    checkPythonFence(ctx, { decl: c, code: c.code, inputs, outputs, image: image ?? DEFAULT_PYTHON_IMAGE });
  }
  checkMetricsLiterals(ctx, c);
  return withImpl({
    kind: 'python',
    image: image ?? DEFAULT_PYTHON_IMAGE,
    packages,
    body: c.code?.text ?? '',
    bodyLine: c.code ? ctx.file.positionAt(c.code.span.start).line + 1 : 1,
    singleReturn: c.returns?.single ?? false,
  });
}

function envMap(ctx: CheckContext, s: ast.Setting): Record<string, string> | undefined {
  if (s.value.kind === 'DictExpr') {
    const out = keyedObject<string>();
    for (const e of s.value.entries) {
      if (e.value.kind === 'Literal' && e.value.value !== null) out[e.key] = String(e.value.value);
      else ctx.report('InvalidSetting', 'component env values must be literals', e.value.span, { hint: 'values from the pipeline go in the task\'s env setting' });
    }
    return out;
  }
  ctx.report('InvalidSetting', '`env` must be a map', s.value.span, { hint: 'e.g. env: { MODE: "fast" }' });
  return undefined;
}

/** A container component's command line: literals, input and output names, concat(…), if_present(…). */
function commandLine(ctx: CheckContext, s: ast.Setting, names: ReadonlyMap<string, IrPort & { output: boolean }>): IrCmdItem[] {
  if (s.value.kind !== 'ListExpr') {
    ctx.report('InvalidCommandLine', `\`${s.name.name}\` must be a list`, s.value.span, { hint: `e.g. ${s.name.name}: ["sh", "-c", "echo $0", text]` });
    return [];
  }
  const item = (e: ast.Expr): IrCmdItem | undefined => {
    if (e.kind === 'Literal' && e.value !== null) return String(e.value);
    if (e.kind === 'RefExpr' && e.parts.length === 1) {
      const p = names.get(e.parts[0]!.name);
      if (p) return p.output ? { output: p.name } : { input: p.name };
      ctx.report('UnknownName', `\`${e.parts[0]!.name}\` is not an input or output of this component`, e.span, { hint: didYouMean(e.parts[0]!.name, names.keys()) });
      return undefined;
    }
    // `run.id`, `workflow.name`, …: Argo's tags, as kfp v1 components use dsl.RUN_ID_PLACEHOLDER in their command lines.
    if (e.kind === 'RefExpr' && e.parts.length === 2) {
      const tag = WORKFLOW_VALUES[e.parts[0]!.name]?.[e.parts[1]!.name];
      if (tag !== undefined) return tag;
    }
    if (e.kind === 'CallExpr' && e.callee.name === 'concat') {
      const parts = e.args.map((a) => item(a.value));
      return parts.every((p) => p !== undefined) ? { concat: parts as IrCmdItem[] } : undefined;
    }
    if (e.kind === 'CallExpr' && e.callee.name === 'if_present') {
      const [nameArg, thenArg, elseArg] = e.args;
      const target = nameArg?.value.kind === 'RefExpr' && nameArg.value.parts.length === 1 ? names.get(nameArg.value.parts[0]!.name) : undefined;
      if (!target || target.output || !thenArg || e.args.length > 3) {
        ctx.report('InvalidCommandLine', '`if_present` takes an optional input, a list to use when it is given, and optionally one for when it is not', e.span, { hint: 'e.g. if_present(extra, ["--extra", extra])' });
        return undefined;
      }
      if (!target.optional) ctx.report('InvalidCommandLine', `input \`${target.name}\` is required, so it is always present`, nameArg!.span, { hint: `give it a default: \`${target.name}: ${target.type} = null\`` });
      const list = (a: ast.Argument | undefined): IrCmdItem[] | undefined => {
        if (!a) return [];
        if (a.value.kind !== 'ListExpr') {
          ctx.report('InvalidCommandLine', 'the branches of `if_present` are lists', a.value.span);
          return undefined;
        }
        const items = a.value.items.map(item);
        return items.every((x) => x !== undefined) ? (items as IrCmdItem[]) : undefined;
      };
      const then = list(thenArg);
      const otherwise = list(elseArg);
      return then && otherwise ? { ifPresent: target.name, then, else: otherwise } : undefined;
    }
    ctx.report('InvalidCommandLine', 'a command-line item is a string, an input or output name, `concat(…)` or `if_present(…)`', e.span);
    return undefined;
  };
  // Mapped, then filtered only when an item was refused: filter's result grows as pushed into
  // (17 places at the first item), map's is made at its size, and kept with the IR.
  const items = s.value.items.map(item);
  return items.every((x) => x !== undefined) ? (items as IrCmdItem[]) : items.filter((x): x is IrCmdItem => x !== undefined);
}
