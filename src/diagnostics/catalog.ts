/**
 * Every diagnostic kfpdsl can report, keyed by name. Codes are grouped by phase:
 * 1xxx lexing and syntax, 2xxx names and scopes, 3xxx types and the graph,
 * 4xxx settings and values, 5xxx target limits, 6xxx the Python inside a fence,
 * 9xxx internal errors (our bugs).
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
  UnexpectedCharacter: def('KFP1001', 'unexpected-character', 'error', 'a character that starts no token'),
  UnterminatedString: def('KFP1002', 'unterminated-string', 'error', 'a string literal without its closing quote'),
  UnterminatedBlock: def('KFP1003', 'unterminated-block', 'error', 'a ``` code block or """ description without its end'),
  SyntaxError: def('KFP1101', 'syntax-error', 'error', 'a token the grammar does not allow here'),
  TooDeep: def('KFP1102', 'too-deeply-nested', 'error', 'nesting deeper than the compiler accepts'),
  TooLarge: def('KFP1103', 'file-too-large', 'error', 'a source file larger than the compiler accepts'),
  InvalidLiteral: def('KFP1104', 'invalid-literal', 'error', 'a number or string escape that cannot be read'),

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

  TypeMismatch: def('KFP3001', 'type-mismatch', 'error', 'an argument whose type does not fit the input'),
  MissingArgument: def('KFP3002', 'missing-argument', 'error', 'a required input with no argument'),
  TooManyArguments: def('KFP3003', 'too-many-arguments', 'error', 'more positional arguments than the component has inputs'),
  DependencyCycle: def('KFP3004', 'dependency-cycle', 'error', 'tasks that depend on each other in a cycle'),
  AmbiguousOutput: def('KFP3005', 'ambiguous-output', 'error', 'a task used as a value when it has no single output'),
  InvalidDefault: def('KFP3006', 'invalid-default', 'error', 'a default value that does not fit its declared type'),

  InvalidSetting: def('KFP4001', 'invalid-setting', 'error', 'a setting whose value has the wrong shape'),
  MissingImplementation: def('KFP4002', 'missing-implementation', 'error', 'a component with neither a ``` python block nor a command'),
  InvalidImport: def('KFP4003', 'invalid-import', 'error', 'an imported component.yaml that cannot be read or is not a kfp v1 component'),
  EmptyBlock: def('KFP4004', 'empty-block', 'error', 'a pipeline, condition, loop or finally block with no tasks (Argo runs no empty DAG)'),

  UnusedTask: def('KFP3101', 'unused-output', 'warning', 'a task bound to a name whose outputs nothing uses'),
  UnusedParameter: def('KFP3102', 'unused-parameter', 'warning', 'a pipeline parameter that nothing uses'),

  NameTooLong: def('KFP5001', 'name-too-long', 'error', 'a name longer than Kubernetes or Argo accepts'),
  WorkflowTooLarge: def('KFP5002', 'workflow-too-large', 'warning', 'a workflow approaching (or past) Argo\'s 1 MiB limit'),
  AnnotationsTooLarge: def('KFP5003', 'annotations-too-large', 'error', 'annotations over Kubernetes\' 256 KiB total'),
  ArgumentTooLarge: def('KFP5004', 'argument-too-large', 'warning', 'a container argument over 128 KiB'),
  ImageWithoutTag: def('KFP5005', 'image-without-tag', 'warning', 'an image without a tag or with `:latest`'),

  PythonSyntaxError: def('KFP6001', 'python-syntax-error', 'error', 'a ```python block that is not valid Python (as the body of a function)'),
  PastedDefHeader: def('KFP6002', 'pasted-def-header', 'error', 'a ```python block that only defines the component\'s own function instead of being its body'),
  NoReturnValue: def('KFP6003', 'no-return-value', 'error', 'a component with value outputs whose code never returns a value'),
  MissingReturn: def('KFP6004', 'missing-return', 'warning', 'a component with value outputs whose code can reach its end, or a bare `return`, without a value'),
  UndefinedPythonName: def('KFP6005', 'undefined-python-name', 'error', 'a name the Python code reads that nothing defines (`# noqa` on the line silences it)'),

  Internal: def('KFP9001', 'internal-error', 'error', 'a bug in kfpdsl'),
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
