/**
 * Every diagnostic kfpdsl can report, keyed by name. Codes are grouped by phase:
 * 0xxx command line, paths and files, 1xxx lexing and syntax, 2xxx names and scopes,
 * 3xxx types and the graph, 4xxx settings and values, 5xxx target limits, 6xxx the Python
 * inside a fence, 9xxx internal errors (our bugs).
 * Codes and slugs never change meaning once released; retire, don't reuse.
 */
import type { SourceFile, Span } from '../source.js';
import type { Diagnostic, Related, Severity } from './diagnostic.js';

export interface DiagnosticDef {
  readonly code: string;
  readonly slug: string;
  readonly severity: Severity;
  readonly summary: string;
}

function def(code: string, slug: string, severity: Severity, summary: string): DiagnosticDef {
  return { code, slug, severity, summary };
}

export const Codes = {
  NoSuchPath: def('KFP0001', 'no-such-path', 'error', 'a path on the command line that does not exist'),
  NoSources: def('KFP0002', 'no-sources', 'error', 'a directory on the command line with no .kfp file under it'),
  NotKfpFile: def('KFP0003', 'not-a-kfp-file', 'error', 'a file on the command line whose name does not end in .kfp'),
  IsADirectory: def('KFP0004', 'is-a-directory', 'error', 'a directory where one .kfp file is expected (graph, run)'),
  UnreadableSource: def('KFP0005', 'unreadable-source', 'error', 'a source or directory that cannot be read (permissions, not a regular file)'),
  EmptySource: def('KFP0006', 'empty-source', 'warning', 'a .kfp file that declares no component and no pipeline: nothing to compile'),
  InvalidSourceName: def('KFP0007', 'invalid-source-name', 'error', 'a source whose name cannot name its output directory (`.kfp`, `...kfp`, a leading `.`)'),
  RootNotADirectory: def('KFP0008', 'root-not-a-directory', 'error', '`--root` naming a file or nothing'),
  OutputNotADirectory: def('KFP0010', 'output-not-a-directory', 'error', 'an output path, or a directory on the way to it, that is a file'),
  OutputNotWritable: def('KFP0011', 'output-not-writable', 'error', 'an output directory that cannot be written (permissions, read-only or full file system)'),
  ForeignOutput: def('KFP0012', 'foreign-files-in-output', 'error', 'an output directory holding files kfpdsl did not write, which a build would replace'),
  SourceOutsideRoot: def('KFP0013', 'source-outside-root', 'error', 'with -o, a source outside the project root, which has no place under -o'),
  OutputCollision: def('KFP0014', 'output-collision', 'error', 'two sources built at once that would write the same output directory'),
  OutOfDate: def('KFP0015', 'out-of-date', 'error', '`build --check`: a compiled file that is missing, differs, or is no longer written'),
  UnexpectedCharacter: def('KFP1001', 'unexpected-character', 'error', 'a character that starts no token'),
  UnterminatedString: def('KFP1002', 'unterminated-string', 'error', 'a string literal without its closing quote'),
  UnterminatedBlock: def('KFP1003', 'unterminated-block', 'error', 'a ``` code block or """ description without its end'),
  SyntaxError: def('KFP1101', 'syntax-error', 'error', 'a token the grammar does not allow here'),
  TooDeep: def('KFP1102', 'too-deeply-nested', 'error', 'nesting deeper than the compiler accepts'),
  TooLarge: def('KFP1103', 'file-too-large', 'error', 'a source file larger than the compiler accepts'),
  InvalidLiteral: def('KFP1104', 'invalid-literal', 'error', 'a number or string escape that cannot be read'),
  TooManyDiagnostics: def('KFP1105', 'too-many-diagnostics', 'error', 'the count of diagnostics past --max-errors in one file, which are not printed'),

  UnknownComponent: def('KFP2001', 'unknown-component', 'error', 'a call to a component that is not defined or imported'),
  UnknownName: def('KFP2002', 'unknown-name', 'error', 'a name that is neither a pipeline parameter, a task nor a loop variable'),
  UnknownTask: def('KFP2003', 'unknown-task', 'error', '`after` names a task that does not exist'),
  UnknownOutput: def('KFP2004', 'unknown-output', 'error', 'a task output that the component does not declare'),
  UnknownArgument: def('KFP2005', 'unknown-argument', 'error', 'a named argument that is not an input of the component'),
  DuplicateName: def('KFP2006', 'duplicate-name', 'error', 'a name defined twice in the same scope'),
  InvalidIdentifier: def('KFP2007', 'invalid-identifier', 'error', 'a name that is not a valid Python identifier (keywords included)'),
  UnknownType: def('KFP2008', 'unknown-type', 'error', 'a type that is not int, float, str, bool, list, dict, file, metrics or ui_metadata'),
  UnknownSetting: def('KFP2009', 'unknown-setting', 'error', 'a setting that this block does not have'),
  DuplicateArgument: def('KFP2010', 'duplicate-argument', 'error', 'an input given more than one argument'),
  ImportCycle: def('KFP2011', 'import-cycle', 'error', 'a .kfp module that imports itself, directly or through other modules'),
  ImportClash: def('KFP2012', 'import-clash', 'error', 'a component name brought in by two unqualified module imports, or by a module and this file'),
  ImportNeedsName: def('KFP2013', 'import-needs-name', 'error', 'a component.yaml import without `as NAME` (only a .kfp module may be imported without a name)'),

  TypeMismatch: def('KFP3001', 'type-mismatch', 'error', 'an argument whose type does not fit the input'),
  MissingArgument: def('KFP3002', 'missing-argument', 'error', 'a required input with no argument'),
  TooManyArguments: def('KFP3003', 'too-many-arguments', 'error', 'more positional arguments than the component has inputs'),
  DependencyCycle: def('KFP3004', 'dependency-cycle', 'error', 'tasks that depend on each other in a cycle'),
  AmbiguousOutput: def('KFP3005', 'ambiguous-output', 'error', 'a task used as a value when it has no single output'),
  InvalidDefault: def('KFP3006', 'invalid-default', 'error', 'a default value that does not fit its declared type'),

  InvalidSetting: def('KFP4001', 'invalid-setting', 'error', 'a setting whose value has the wrong shape'),
  MissingImplementation: def('KFP4002', 'missing-implementation', 'error', 'a component with neither a ``` python block nor a command'),
  InvalidImport: def('KFP4003', 'invalid-import', 'error', 'an imported component.yaml that cannot be read or is not a kfp v1 component'),
  LoneSurrogate: def('KFP4010', 'lone-surrogate', 'error', 'a string escape that makes half of a UTF-16 surrogate pair, which neither UTF-8 nor YAML can hold'),
  NulCharacter: def('KFP4011', 'nul-character', 'error', 'a string holding U+0000, which no container argument or environment variable can carry'),
  EmptyBlock: def('KFP4004', 'empty-block', 'error', 'a pipeline, condition, loop or finally block with no tasks (Argo runs no empty DAG)'),
  ImportOutsideProject: def('KFP4005', 'import-outside-project', 'error', 'an import of a file outside the project root (symbolic links resolved)'),
  ImportNotAFile: def('KFP4006', 'import-not-a-file', 'error', 'an import of a directory, a special file (FIFO, device, /proc) or a file over 4 MiB'),

  UnusedTask: def('KFP3101', 'unused-output', 'warning', 'a task bound to a name whose outputs nothing uses'),
  UnusedParameter: def('KFP3102', 'unused-parameter', 'warning', 'a pipeline parameter that nothing uses'),
  ArgoPlaceholder: def('KFP3103', 'argo-placeholder', 'warning', 'text that Argo would replace (`{{inputs.parameters.x}}`, `{{workflow.uid}}`, …) in a code block or a string'),

  NameTooLong: def('KFP5001', 'name-too-long', 'error', 'a name longer than Kubernetes or Argo accepts'),
  WorkflowTooLarge: def('KFP5002', 'workflow-too-large', 'warning', 'a workflow approaching (or past) Argo\'s 1 MiB limit'),
  AnnotationsTooLarge: def('KFP5003', 'annotations-too-large', 'error', 'annotations over Kubernetes\' 256 KiB total'),
  ArgumentTooLarge: def('KFP5004', 'argument-too-large', 'warning', 'a container argument over 128 KiB'),
  IntegerTooLarge: def('KFP5006', 'integer-too-large', 'error', 'a setting larger than the integer field Argo or Kubernetes stores it in (int32, int64)'),
  ImageWithoutTag: def('KFP5005', 'image-without-tag', 'warning', 'an image without a tag or with `:latest`'),

  PythonSyntaxError: def('KFP6001', 'python-syntax-error', 'error', 'a ```python block that is not valid Python (as the body of a function)'),
  PastedDefHeader: def('KFP6002', 'pasted-def-header', 'error', 'a ```python block that only defines the component\'s own function instead of being its body'),
  NoReturnValue: def('KFP6003', 'no-return-value', 'error', 'a component with value outputs whose code never returns a value'),
  MissingReturn: def('KFP6004', 'missing-return', 'warning', 'a component with value outputs whose code can reach its end, or a bare `return`, without a value'),
  UndefinedPythonName: def('KFP6005', 'undefined-python-name', 'error', 'a name the Python code reads that nothing defines (`# noqa` on the line silences it)'),

  Internal: def('KFP9001', 'internal-error', 'error', 'a bug in kfpdsl'),

  ArgSyntax: def('KFP0101', 'arg-syntax', 'error', '`kfpdsl run --arg` not written as name=value'),
  UnknownArg: def('KFP0102', 'unknown-arg', 'error', '`kfpdsl run --arg` naming no parameter of the pipeline'),
  DuplicateArg: def('KFP0103', 'duplicate-arg', 'error', '`kfpdsl run --arg` giving one parameter twice'),
  ArgTypeMismatch: def('KFP0104', 'arg-type-mismatch', 'error', '`kfpdsl run --arg` value that the parameter\'s type does not accept'),
  MissingArg: def('KFP0105', 'missing-arg', 'error', 'a pipeline parameter without a default and without `--arg` for `kfpdsl run`'),
  PackagesNotInstalled: def('KFP0110', 'packages-not-installed', 'error', 'a component\'s `packages` that `kfpdsl run` could not install into its virtual environment'),
  PythonNotUsable: def('KFP0111', 'python-not-usable', 'error', '`kfpdsl run --python` (or `python3` on PATH) that cannot make a virtual environment'),
} as const satisfies Record<string, DiagnosticDef>;

export type CodeName = keyof typeof Codes;

export interface DiagnosticInit {
  readonly file?: SourceFile | undefined;
  readonly span?: Span | undefined;
  readonly label?: string | undefined;
  readonly hint?: string | undefined;
  readonly related?: readonly Related[] | undefined;
}

export function diag(name: CodeName, message: string, init: DiagnosticInit & { severity?: Severity } = {}): Diagnostic {
  const d = Codes[name];
  const out: { -readonly [K in keyof Diagnostic]?: Diagnostic[K] } = {
    code: d.code,
    slug: d.slug,
    severity: init.severity ?? d.severity,
    message,
  };
  if (init.file) out.file = init.file;
  if (init.span) out.span = init.span;
  if (init.label) out.label = init.label;
  if (init.hint) out.hint = init.hint;
  if (init.related && init.related.length > 0) out.related = init.related;
  return out as Diagnostic;
}

export function allDefs(): DiagnosticDef[] {
  return Object.values(Codes);
}
