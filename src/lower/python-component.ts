/**
 * Python function components: builds the kfp v1 ComponentSpec that kfp 1.8.22's
 * `create_component_from_func` would produce for an equivalent Python function
 * (kfp/components/_python_op.py `_func_to_component_spec`), so the container runs the
 * same program with the same command line. See shared/reference/kfp-v1-lowering.md §1.
 *
 * The equivalent kfp function is
 *   def f(<inputs>, <file outputs: OutputPath()>) -> T | NamedTuple(<returned outputs>)
 * with file inputs annotated `InputPath()`.
 *
 * Deliberate differences from kfp:
 * - `_deserialize_bool` does not import distutils (removed in Python 3.12); it accepts the same strings.
 * - `metrics` outputs are serialized by a validating `_serialize_metrics` (kfp would use `str`).
 * - `ui_metadata` outputs are serialized by `_serialize_json` (kfp would use `str`).
 * - Given the body's origin, the function is compiled from a string at its .kfp path and lines
 *   (`_kfpdsl_define`), so tracebacks point at the .kfp file; everything else is unchanged.
 * - Each input and file output is one argv element, `{concat: [--name=, value]}`, where kfp
 *   writes `--name` and the value as two (which breaks on values starting with `-`).
 */
import type { ComponentSpec, InputSpec, KfpTypeName, OutputSpec, Placeholder } from './component-spec.js';

export type PyType = 'int' | 'float' | 'str' | 'bool' | 'list' | 'dict' | 'file' | 'metrics' | 'ui_metadata';

export interface PyInput {
  /** Python identifier, also the kfp input name. */
  name: string;
  type: PyType;
  /** Has a default. */
  optional: boolean;
  /** Python literal source for the def signature, e.g. '5', "'abc'", 'None', 'True', '[1, 2]'. */
  defaultPython?: string;
  /** kfp serialized default string, e.g. '5', 'abc', 'True', '[1, 2]'; absent for None. */
  defaultKfp?: string;
  description?: string;
}

export interface PyOutput {
  /** Python identifier; kfp output name. */
  name: string;
  type: PyType;
}

export interface PythonComponent {
  functionName: string;
  description?: string;
  inputs: PyInput[];
  outputs: PyOutput[];
  /** True for `-> int`: one returned output (named Output by convention); the program does `_outputs = [_outputs]`. */
  singleReturn: boolean;
  /** The dedented Python function body (not a def). */
  body: string;
  image: string;
  packages: string[];
  /**
   * Where the body was written: the .kfp path as the program should name it, and the 1-based
   * line of the body's first line. With it, the program defines the function from that text at
   * those lines, so a traceback from user code names the .kfp file and line (see
   * `locatedFunctionCode`); without it, the program is kfp's, function and all.
   */
  origin?: { path: string; bodyLine: number };
}

const KFP_TYPE_NAMES: Record<PyType, KfpTypeName | undefined> = {
  int: 'Integer',
  float: 'Float',
  str: 'String',
  bool: 'Boolean',
  list: 'JsonArray',
  dict: 'JsonObject',
  file: undefined, // InputPath() / OutputPath(): untyped
  metrics: 'Metrics',
  ui_metadata: 'UI_metadata',
};

export function kfpTypeName(t: PyType): KfpTypeName | undefined {
  return KFP_TYPE_NAMES[t];
}

/** kfp `_python_function_name_to_component_name`: 'types_demo' -> 'Types demo'. */
export function componentDisplayName(functionName: string): string {
  const spaced = functionName.replaceAll('_', ' ').replace(/ +/g, ' ').replace(/^ +| +$/g, '');
  const first = spaced.codePointAt(0);
  if (first === undefined) throw new Error(`cannot derive a component name from function name '${functionName}'`);
  const firstChar = String.fromCodePoint(first);
  return firstChar.toUpperCase() + spaced.slice(firstChar.length);
}

export function buildPythonComponent(c: PythonComponent): ComponentSpec {
  checkComponent(c);
  const pathOutputs = c.outputs.filter((o) => o.type === 'file');
  const returnedOutputs = c.outputs.filter((o) => o.type !== 'file');
  const program = buildProgram(c, pathOutputs, returnedOutputs);
  const command: Placeholder[] = [...pipInstallPrefix(c.packages), 'sh', '-ec', PROGRAM_LAUNCHER, program];
  const args = buildArgs(c.inputs, pathOutputs, returnedOutputs);
  // kfp lists OutputPath parameters first, then the return annotation's outputs.
  const outputs = [...pathOutputs, ...returnedOutputs].map(outputSpec);
  return {
    name: componentDisplayName(c.functionName),
    ...(c.description ? { description: c.description } : {}),
    ...(c.inputs.length > 0 ? { inputs: c.inputs.map(inputSpec) } : {}),
    ...(outputs.length > 0 ? { outputs } : {}),
    implementation: { container: { image: c.image, command, ...(args.length > 0 ? { args } : {}) } },
  };
}

/** Caller errors that would make kfp fail or the generated Python invalid. */
function checkComponent(c: PythonComponent): void {
  const returned = c.outputs.filter((o) => o.type !== 'file').length;
  if (c.singleReturn && returned !== 1) {
    throw new Error(`${c.functionName}: a single return needs exactly one returned output, got ${returned}`);
  }
  let sawOptional = false;
  for (const input of c.inputs) {
    if (input.optional) sawOptional = true;
    else if (sawOptional) throw new Error(`${c.functionName}: required input '${input.name}' follows an optional input`);
    if (input.type === 'file' && input.defaultKfp !== undefined) {
      // kfp: 'Path inputs only support default values of None.'
      throw new Error(`${c.functionName}: file input '${input.name}' can only default to None`);
    }
  }
  const params = [...c.inputs, ...c.outputs.filter((o) => o.type === 'file')].map((p) => p.name);
  const duplicate = params.find((name, i) => params.indexOf(name) !== i);
  if (duplicate !== undefined) throw new Error(`${c.functionName}: duplicate parameter '${duplicate}'`);
}

function inputSpec(input: PyInput): InputSpec {
  const type = kfpTypeName(input.type);
  return {
    name: input.name,
    ...(type !== undefined ? { type } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.defaultKfp !== undefined ? { default: input.defaultKfp } : {}),
    ...(input.optional ? { optional: true } : {}),
  };
}

function outputSpec(output: PyOutput): OutputSpec {
  const type = kfpTypeName(output.type);
  return { name: output.name, ...(type !== undefined ? { type } : {}) };
}

// ---------------------------------------------------------------------------
// Command line

/** The `sh -ec` wrapper (kfp _python_op.py L785): writes the program ($0) to a file and runs it. */
const PROGRAM_LAUNCHER = 'program_path=$(mktemp)\nprintf "%s" "$0" > "$program_path"\npython3 -u "$program_path" "$@"\n';

function pipInstallPrefix(packages: string[]): string[] {
  if (packages.length === 0) return [];
  const pipInstall =
    'PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location ' +
    packages.map(pythonStrRepr).join(' ');
  return ['sh', '-c', `(${pipInstall} || ${pipInstall} --user) && "$0" "$@"`];
}

function flagOf(name: string): string {
  return '--' + name.replaceAll('_', '-');
}

/**
 * `--name=value` as one argv element (kfp writes the flag and the value as two). argparse
 * reads a separate element that starts with `-` as the next flag, so kfp tasks fail on a
 * string such as `-x` with "expected one argument"; after `=` argparse takes the rest of the
 * element as the value, whatever it is. `concat` keeps component.yaml a kfp v1 component.
 */
function flagWithValue(name: string, value: Placeholder): Placeholder {
  return { concat: [flagOf(name) + '=', value] };
}

function buildArgs(inputs: PyInput[], pathOutputs: PyOutput[], returnedOutputs: PyOutput[]): Placeholder[] {
  const args: Placeholder[] = [];
  for (const input of inputs) {
    const value: Placeholder = input.type === 'file' ? { inputPath: input.name } : { inputValue: input.name };
    const flagged = flagWithValue(input.name, value);
    if (input.optional) args.push({ if: { cond: { isPresent: input.name }, then: [flagged] } });
    else args.push(flagged);
  }
  for (const output of pathOutputs) args.push(flagWithValue(output.name, { outputPath: output.name }));
  // nargs=N cannot take `=`; these are paths the compiler chose (`/tmp/outputs/<name>/data`),
  // which never start with `-`.
  if (returnedOutputs.length > 0) {
    args.push('----output-paths', ...returnedOutputs.map((o) => ({ outputPath: o.name })));
  }
  return args;
}

// ---------------------------------------------------------------------------
// The generated program (kfp _python_op.py L739-763)

function buildProgram(c: PythonComponent, pathOutputs: PyOutput[], returnedOutputs: PyOutput[]): string {
  // kfp collects both in sets: `definitions` is sorted as strings, `pre_func_definitions` joined as is.
  const definitions = new Set<string>();
  const preFuncDefinitions = new Set<string>();

  const argparseLines = [
    'import argparse',
    `_parser = argparse.ArgumentParser(prog=${pythonStrRepr(componentDisplayName(c.functionName))}, description=${pythonStrRepr(c.description ?? '')})`,
  ];
  for (const input of c.inputs) {
    const type = input.type === 'file' ? 'str' : registerDeserializer(input.type, definitions);
    argparseLines.push(addArgumentLine(input.name, type, !input.optional));
  }
  for (const output of pathOutputs) {
    preFuncDefinitions.add(MAKE_PARENT_DIRS_AND_RETURN_PATH);
    argparseLines.push(addArgumentLine(output.name, '_make_parent_dirs_and_return_path', true));
  }
  if (returnedOutputs.length > 0) {
    argparseLines.push(
      `_parser.add_argument("----output-paths", dest="_output_paths", type=str, nargs=${returnedOutputs.length})`,
    );
  }
  const serializers = returnedOutputs.map((o) => registerSerializer(o.type, definitions));

  const argParseCode = [...[...definitions].sort(compareCodeUnits), ...argparseLines, '_parsed_args = vars(_parser.parse_args())'];
  if (returnedOutputs.length > 0) argParseCode.push('_output_files = _parsed_args.pop("_output_paths", [])');

  const preFuncCode = [...preFuncDefinitions].join('\n');
  const extraCode = '';
  let source =
    `${preFuncCode}\n\n${extraCode}\n\n${functionCode(c, pathOutputs)}\n\n${argParseCode.join('\n')}\n\n` +
    `_outputs = ${c.functionName}(**_parsed_args)\n`;
  if (returnedOutputs.length > 0) source += outputHandlingCode(c.singleReturn, serializers);

  // kfp: re.sub('\n\n\n+', '\n\n', full_source).strip('\n') + '\n'
  return source.replace(/\n\n\n+/g, '\n\n').replace(/^\n+|\n+$/g, '') + '\n';
}

function addArgumentLine(name: string, type: string, required: boolean): string {
  const requiredText = required ? 'True' : 'False';
  return `_parser.add_argument("${flagOf(name)}", dest="${name}", type=${type}, required=${requiredText}, default=argparse.SUPPRESS)`;
}

/** The user's function: kfp's plain `def`, or, knowing its origin, defined at its .kfp lines. */
function functionCode(c: PythonComponent, pathOutputs: PyOutput[]): string {
  const def = plainFunctionCode(c, pathOutputs);
  return c.origin ? locatedFunctionCode(def, c.origin) : def;
}

/**
 * Python run by `locatedFunctionCode`: compiles the function's text padded with blank lines
 * so that the body sits at its .kfp lines, under the .kfp path, and gives linecache the same
 * lines, so tracebacks (and SyntaxErrors of a Python older than the user's) print the .kfp
 * file, line and text without that file being present. linecache keeps an entry whose mtime
 * is None (checkcache() skips it). CPython's built-in excepthook reads source lines from
 * disk, not from linecache, so the traceback module's printer (the same format) takes its
 * place unless the program set its own. The function is defined in the module's globals, as
 * a plain `def` would be.
 */
const DEFINE_AT_KFP_LINES = `def _kfpdsl_define(path, def_line, source):
    import linecache
    import sys
    import traceback
    source = '\\n' * (def_line - 1) + source
    linecache.cache[path] = (len(source), None, source.splitlines(True), path)
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = traceback.print_exception
    exec(compile(source, path, 'exec'), globals())
`;

/**
 * The function's `def`, handed to `_kfpdsl_define` as a string, one literal per line: the
 * `def` line goes at the fence's opening line, the body at the lines it has in the .kfp file.
 */
function locatedFunctionCode(def: string, origin: { path: string; bodyLine: number }): string {
  const lines = def.replace(/\n+$/, '').split('\n');
  const literals = lines.map((line) => `    ${pythonStrRepr(line + '\n')}`).join('\n');
  return `${DEFINE_AT_KFP_LINES}\n_kfpdsl_define(${pythonStrRepr(origin.path)}, ${origin.bodyLine - 1}, (\n${literals}\n))\n`;
}

/** kfp's `def f(<inputs>, <file outputs>):` plus the body indented by 4 spaces. */
function plainFunctionCode(c: PythonComponent, pathOutputs: PyOutput[]): string {
  const params = c.inputs.map((i) => (i.optional ? `${i.name}=${i.defaultPython ?? 'None'}` : i.name));
  if (pathOutputs.length > 0) {
    // Output parameters have no default, so after an optional input they must be keyword-only
    // to stay valid Python; the program passes every argument by keyword anyway.
    if (c.inputs.some((i) => i.optional)) params.push('*');
    params.push(...pathOutputs.map((o) => o.name));
  }
  return `def ${c.functionName}(${params.join(', ')}):\n${indentBody(c.body)}\n`;
}

function indentBody(body: string): string {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  // Like textwrap.indent: whitespace-only lines are left alone.
  const indented = lines.map((line) => (line.trim() === '' ? line : '    ' + line));
  return indented.some((line) => line.trim() !== '') ? indented.join('\n') : '    pass';
}

function outputHandlingCode(singleReturn: boolean, serializers: string[]): string {
  const outputsToList = singleReturn ? '_outputs = [_outputs]' : '';
  const serializerLines = serializers.map((s) => `    ${s},\n`).join('');
  return `

${outputsToList}

_output_serializers = [
${serializerLines}
]

import os
for idx, output_file in enumerate(_output_files):
    try:
        os.makedirs(os.path.dirname(output_file))
    except OSError:
        pass
    with open(output_file, 'w') as f:
        f.write(_output_serializers[idx](_outputs[idx]))
`;
}

/** Python's sorted() on str compares code points; for the ASCII definitions this is code-unit order. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Serializers and deserializers (kfp/components/_data_passing.py)

/** The argparse `type=` for a value input; registers any definition it needs. */
function registerDeserializer(t: PyType, definitions: Set<string>): string {
  switch (t) {
    case 'int':
      return 'int';
    case 'float':
      return 'float';
    case 'bool':
      definitions.add(DESERIALIZE_BOOL);
      return '_deserialize_bool';
    case 'list':
    case 'dict':
      // kfp registers the line `import json` as a "definition", so it sorts after the defs.
      definitions.add('import json');
      return 'json.loads';
    default:
      // str, and type names kfp has no converter for (Metrics, UI_metadata), are passed as strings.
      return 'str';
  }
}

/** The serializer function name for a returned output; registers its definition. */
function registerSerializer(t: PyType, definitions: Set<string>): string {
  const definition = SERIALIZERS[t];
  if (definition === undefined) throw new Error(`outputs of type '${t}' are not returned`);
  definitions.add(definition.source);
  return definition.name;
}

// Python sources below are kfp 1.8.22's, as inspect.getsource returns them (one trailing newline).

const MAKE_PARENT_DIRS_AND_RETURN_PATH = `def _make_parent_dirs_and_return_path(file_path: str):
    import os
    os.makedirs(os.path.dirname(file_path), exist_ok=True)
    return file_path
`;

// Replaces kfp's `from distutils.util import strtobool; return strtobool(s) == 1`:
// distutils is gone in Python 3.12. Same accepted strings and error as strtobool.
const DESERIALIZE_BOOL = `def _deserialize_bool(s) -> bool:
    val = s.lower()
    if val in ('y', 'yes', 't', 'true', 'on', '1'):
        return True
    elif val in ('n', 'no', 'f', 'false', 'off', '0'):
        return False
    else:
        raise ValueError("invalid truth value %r" % (val,))
`;

const SERIALIZE_BOOL = `def _serialize_bool(bool_value: bool) -> str:
    if isinstance(bool_value, str):
        return bool_value
    if not isinstance(bool_value, bool):
        raise TypeError('Value "{}" has type "{}" instead of bool.'.format(
            str(bool_value), str(type(bool_value))))
    return str(bool_value)
`;

const SERIALIZE_FLOAT = `def _serialize_float(float_value: float) -> str:
    if isinstance(float_value, str):
        return float_value
    if not isinstance(float_value, (float, int)):
        raise TypeError('Value "{}" has type "{}" instead of float.'.format(
            str(float_value), str(type(float_value))))
    return str(float_value)
`;

const SERIALIZE_INT = `def _serialize_int(int_value: int) -> str:
    if isinstance(int_value, str):
        return int_value
    if not isinstance(int_value, int):
        raise TypeError('Value "{}" has type "{}" instead of int.'.format(
            str(int_value), str(type(int_value))))
    return str(int_value)
`;

const SERIALIZE_JSON = `def _serialize_json(obj) -> str:
    if isinstance(obj, str):
        return obj
    import json

    def default_serializer(obj):
        if hasattr(obj, 'to_struct'):
            return obj.to_struct()
        else:
            raise TypeError(
                "Object of type '%s' is not JSON serializable and does not have .to_struct() method."
                % obj.__class__.__name__)

    return json.dumps(obj, default=default_serializer, sort_keys=True)
`;

const SERIALIZE_STR = `def _serialize_str(str_value: str) -> str:
    if not isinstance(str_value, str):
        raise TypeError('Value "{}" has type "{}" instead of str.'.format(
            str(str_value), str(type(str_value))))
    return str_value
`;

// kfpdsl's own: kfp writes Metrics with str(), and the KFP UI silently ignores a malformed
// mlpipeline-metrics file, so this converts the short form and rejects bad metrics at run time.
const SERIALIZE_METRICS = `def _serialize_metrics(metrics) -> str:
    import json
    import math
    import re

    def checked(name, value, format):
        if not isinstance(name, str) or not re.fullmatch('[a-zA-Z]([-_a-zA-Z0-9]{0,62}[a-zA-Z0-9])?', name):
            raise ValueError('Invalid metric name {!r}: it must start with a letter, end with a letter or digit, '
                             'contain only letters, digits, "-" and "_", and be at most 64 characters long.'.format(name))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
            raise ValueError('Invalid value {!r} for metric {!r}: it must be a finite number.'.format(value, name))
        if format not in ('RAW', 'PERCENTAGE'):
            raise ValueError('Invalid format {!r} for metric {!r}: it must be "RAW" or "PERCENTAGE".'.format(format, name))
        return {'name': name, 'numberValue': value, 'format': format}

    def from_kfp_form(entry):
        if not isinstance(entry, dict) or not {'name', 'numberValue'} <= set(entry) <= {'name', 'numberValue', 'format'}:
            raise ValueError('Invalid metrics entry {!r}: it must be a dict with "name", "numberValue" and optional "format".'.format(entry))
        return checked(entry['name'], entry['numberValue'], entry.get('format', 'RAW'))

    def from_short_form(name, value):
        if isinstance(value, dict):
            if not {'value'} <= set(value) <= {'value', 'format'}:
                raise ValueError('Invalid metric {!r}: a dict value must have "value" and optional "format", got {!r}.'.format(name, value))
            return checked(name, value['value'], value.get('format', 'RAW'))
        return checked(name, value, 'RAW')

    if isinstance(metrics, str):
        metrics = json.loads(metrics)
    if not isinstance(metrics, dict):
        raise ValueError('Metrics must be a dict, got {!r}.'.format(metrics))
    if list(metrics) == ['metrics'] and isinstance(metrics['metrics'], list):
        entries = [from_kfp_form(entry) for entry in metrics['metrics']]
    else:
        entries = [from_short_form(name, value) for name, value in metrics.items()]
    return json.dumps({'metrics': entries}, sort_keys=True)
`;

const SERIALIZERS: Record<PyType, { name: string; source: string } | undefined> = {
  int: { name: '_serialize_int', source: SERIALIZE_INT },
  float: { name: '_serialize_float', source: SERIALIZE_FLOAT },
  str: { name: '_serialize_str', source: SERIALIZE_STR },
  bool: { name: '_serialize_bool', source: SERIALIZE_BOOL },
  list: { name: '_serialize_json', source: SERIALIZE_JSON },
  dict: { name: '_serialize_json', source: SERIALIZE_JSON },
  metrics: { name: '_serialize_metrics', source: SERIALIZE_METRICS },
  ui_metadata: { name: '_serialize_json', source: SERIALIZE_JSON },
  file: undefined, // written by the body through its path parameter
};

// ---------------------------------------------------------------------------
// Python repr() of a str (Objects/unicodeobject.c unicode_repr)

/** Characters str.isprintable() rejects: categories Cc Cf Cs Co Cn Zl Zp Zs, except the ASCII space. */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

function pythonStrRepr(s: string): string {
  // Single quotes unless the text has a single quote and no double quote.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  // Printable ASCII other than quotes and backslash is itself: only the rest goes character by character.
  return quote + s.replace(/[^\x20-\x7e]|['"\\]/gu, (ch) => reprChar(ch, quote)) + quote;
}

function reprChar(ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (ch === '\t') return '\\t';
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp < 0x7f || !NON_PRINTABLE.test(ch)) return ch;
  if (cp <= 0xff) return '\\x' + hex(cp, 2);
  if (cp <= 0xffff) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
