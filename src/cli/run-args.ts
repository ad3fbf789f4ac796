/**
 * `kfpdsl run --arg name=value`, checked before anything runs: each name is a parameter of the
 * pipeline (or gets a "did you mean"), each value is one the generated program accepts for the
 * parameter's type (int(), float(), kfp's bool strings, JSON lists and dicts), and every
 * parameter without a value is listed. Problems are diagnostics located at the pipeline's
 * declaration in the .kfp file, all of them at once.
 */
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { IrType } from '../ir/ir.js';
import type { SourceFile, Span } from '../source.js';
import type { PipelineDecl } from '../syntax/ast.js';
import { storeVar, type PipelineParam, type Stores } from './run-inputs.js';

export interface ArgContext {
  readonly file: SourceFile;
  /** The pipeline as written (for locations); absent if it cannot be found. */
  readonly decl: PipelineDecl | undefined;
  readonly displayName: string;
  /** The workflow's parameters: defaults and config map sources. */
  readonly params: readonly PipelineParam[];
  /** Each parameter's declared type. */
  readonly types: ReadonlyMap<string, IrType>;
  readonly configMaps: Stores;
}

export interface ArgCheck {
  /** Every parameter's value for this run, in declaration order (complete only without diagnostics). */
  readonly args: Record<string, string>;
  readonly diagnostics: Diagnostic[];
}

export function checkRunArgs(flags: readonly string[], c: ArgContext): ArgCheck {
  const diagnostics: Diagnostic[] = [];
  const names = c.params.map((p) => p.name);
  const declOf = (name: string): PipelineDecl['params'][number] | undefined => c.decl?.params.find((p) => p.name.name === name);
  const at = (span: Span | undefined, label?: string): { file: SourceFile; span?: Span; label?: string } => ({
    file: c.file,
    ...(span ? { span } : {}),
    ...(span && label ? { label } : {}),
  });

  const given = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      diagnostics.push(diag('ArgSyntax', `--arg ${JSON.stringify(flag)} is not name=value`, { file: c.file, hint: `write --arg NAME=VALUE${names.length > 0 ? `, e.g. --arg ${names[0]}=…` : ''}` }));
      continue;
    }
    const name = flag.slice(0, eq);
    const value = flag.slice(eq + 1);
    if (!names.includes(name)) {
      const known = names.length > 0 ? `its parameters: ${names.join(', ')}` : 'it takes no parameters';
      const hint = didYouMean(name, names);
      diagnostics.push(
        diag('UnknownArg', `--arg ${name}: pipeline "${c.displayName}" has no parameter \`${name}\``, {
          ...at(c.decl?.nameSpan, known),
          ...(hint ? { hint } : names.length > 0 ? { hint: `its parameters are ${names.join(', ')}` } : {}),
        }),
      );
      continue;
    }
    if (given.has(name)) {
      diagnostics.push(diag('DuplicateArg', `--arg ${name} is given twice`, { ...at(declOf(name)?.name.span, 'this parameter'), hint: 'give each parameter once' }));
      continue;
    }
    given.set(name, value);
    const type = c.types.get(name);
    const problem = type !== undefined ? valueProblem(type, value) : undefined;
    if (problem) {
      const decl = declOf(name);
      diagnostics.push(
        diag('ArgTypeMismatch', `--arg ${name}=${shown(value)}: \`${name}\` is ${article(type!)} \`${type}\` and ${problem.why}`, {
          ...at(decl?.type.span, `declared \`${type}\` here`),
          hint: problem.hint(name),
        }),
      );
    }
  }

  const args: Record<string, string> = {};
  for (const p of c.params) {
    const value = given.get(p.name) ?? p.value ?? (p.configMap ? c.configMaps[p.configMap.name]?.[p.configMap.key] : undefined);
    if (value !== undefined) {
      args[p.name] = value;
      continue;
    }
    const hint = p.configMap
      ? `it comes from config map "${p.configMap.name}" key "${p.configMap.key}": set ${storeVar('configMap', p.configMap.name, p.configMap.key)}, pass --config-maps FILE, or --arg ${p.name}=VALUE`
      : `pass --arg ${p.name}=VALUE${c.types.get(p.name) ? ` (${c.types.get(p.name)})` : ''}, or give it a default in the .kfp file`;
    diagnostics.push(diag('MissingArg', `pipeline "${c.displayName}" needs a value for parameter \`${p.name}\``, { ...at(declOf(p.name)?.name.span, 'no default'), hint }));
  }
  return { args, diagnostics };
}

/** A value as typed, or JSON-quoted when it holds control characters or is empty. */
const shown = (v: string): string => (v === '' || /[\u0000-\u001f\u007f]/.test(v) ? JSON.stringify(v) : v);

const article = (type: string): string => (/^[aeiou]/.test(type) ? 'an' : 'a');

interface Problem {
  readonly why: string;
  readonly hint: (name: string) => string;
}

const DIGITS = '\\d(?:_?\\d)*';
/** What Python's int() accepts: surrounding whitespace, a sign, digits with single underscores. */
const PY_INT = new RegExp(`^\\s*[+-]?${DIGITS}\\s*$`);
/** What Python's float() accepts, `inf` and `nan` included. */
const PY_FLOAT = new RegExp(`^\\s*[+-]?(?:(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)\\s*$`, 'i');
/** kfp's bool deserializer (strtobool): these strings, in any case. */
const BOOL_WORDS = new Set(['y', 'yes', 't', 'true', 'on', '1', 'n', 'no', 'f', 'false', 'off', '0']);

/** Why the generated program would refuse `value` for a parameter of `type`, if it would. */
export function valueProblem(type: IrType, value: string): Problem | undefined {
  switch (type) {
    case 'int':
      return PY_INT.test(value) ? undefined : { why: 'this is not a whole number', hint: (n) => `pass digits, e.g. --arg ${n}=3` };
    case 'float':
      return PY_FLOAT.test(value) ? undefined : { why: 'this is not a number', hint: (n) => `pass a number, e.g. --arg ${n}=0.5 or --arg ${n}=1e-3` };
    case 'bool':
      return BOOL_WORDS.has(value.toLowerCase()) ? undefined : { why: 'this is not a truth value', hint: (n) => `pass true or false (yes/no, on/off and 1/0 work too), e.g. --arg ${n}=true` };
    case 'list':
    case 'dict': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (e) {
        return { why: `this is not JSON (${e instanceof Error ? e.message : String(e)})`, hint: (n) => jsonHint(type, n) };
      }
      const ok = type === 'list' ? Array.isArray(parsed) : parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
      return ok ? undefined : { why: `this JSON is not a ${type === 'list' ? 'list' : 'dict (an object)'}`, hint: (n) => jsonHint(type, n) };
    }
    default:
      return undefined;
  }
}

const jsonHint = (type: 'list' | 'dict', name: string): string =>
  type === 'list' ? `pass a JSON list, quoted for the shell: --arg '${name}=[1, 2, 3]'` : `pass a JSON object, quoted for the shell: --arg '${name}={"key": "value"}'`;
