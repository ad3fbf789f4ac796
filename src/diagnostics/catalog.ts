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
  OutputCollision: def('KFP0014', 'output-collision', 'error', 'two sources that would write the same output directory (built at once, also names differing only in case; or an output directory built from another source)'),
  OutOfDate: def('KFP0015', 'out-of-date', 'error', '`build --check`: a compiled file that is missing, differs, or is no longer written'),
  SourceLinkOutside: def('KFP0016', 'source-link-outside-root', 'error', 'a source that is a symbolic link to a file outside the project root, or to a file of another kind than its name says (not *.kfp): never read, as an import of it would not be'),
  GraphTooLarge: def('KFP0017', 'graph-too-large', 'error', '`graph --format svg|html`: a pipeline of more tasks and groups than a picture is laid out for (DOT and Mermaid take any size)'),
  ImportNotKfp: def('KFP0300', 'import-not-kfp', 'error', '`kfpdsl import`: a file that is not a kfp v1 compiled pipeline nor a component.yaml'),
  ImportNotTranslated: def('KFP0301', 'import-not-translated', 'warning', '`kfpdsl import`: a part of the YAML with no `.kfp` form, kept as a comment in the output'),
  ImportBadYaml: def('KFP0302', 'import-bad-yaml', 'error', '`kfpdsl import`: a file that is not valid YAML (syntax, duplicate keys, too many aliases)'),
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
  UnconditionalRecursion: def('KFP3030', 'unconditional-recursion', 'error', 'a pipeline that calls itself, directly or through others, with no `if` on the way: it would never end'),
  InvalidPipelineOutput: def('KFP3031', 'invalid-pipeline-output', 'error', 'a pipeline output that is unnamed, unbound, or bound to something other than a task output of its type'),
  InvalidPipelineCall: def('KFP3032', 'invalid-pipeline-call', 'error', 'a call of a pipeline that cannot be called so: with task settings, or of a pipeline with a `finally` block or a `volume(…, delete: true)`'),

  // KFP4001 once named every problem with a setting; it keeps only its summary's meaning, for
  // settings without a code of their own. The other problems it covered have their own codes
  // in KFP4020–KFP4069 below, as do the problems DuplicateName, TypeMismatch, UnknownTask,
  // UnknownOutput, InvalidDefault and InvalidImport named besides their own (those keep their stated meaning).
  // That range was given to this split, so a code there may belong to another phase by topic.
  InvalidSetting: def('KFP4001', 'invalid-setting', 'error', 'a setting whose value has the wrong shape (a string, number, bool, list or map expected), for settings without a code of their own'),
  MissingImplementation: def('KFP4002', 'missing-implementation', 'error', 'a component with neither a ``` python block nor a command'),
  InvalidImport: def('KFP4003', 'invalid-import', 'error', 'an imported component.yaml that cannot be read or is not a kfp v1 component'),
  LoneSurrogate: def('KFP4010', 'lone-surrogate', 'error', 'a string escape that makes half of a UTF-16 surrogate pair, which neither UTF-8 nor YAML can hold'),
  NulCharacter: def('KFP4011', 'nul-character', 'error', 'a string holding U+0000, which no container argument or environment variable can carry'),
  EmptyBlock: def('KFP4004', 'empty-block', 'error', 'a pipeline, condition, loop or finally block with no tasks (Argo runs no empty DAG)'),
  ImportOutsideProject: def('KFP4005', 'import-outside-project', 'error', 'an import of a file outside the project root (symbolic links resolved)'),
  ImportNotAFile: def('KFP4006', 'import-not-a-file', 'error', 'an import of a directory, a special file (FIFO, device, /proc) or a file over 4 MiB'),
  UnreadableModule: def('KFP4007', 'unreadable-module', 'error', 'an imported .kfp module that does not exist or cannot be read'),

  InvalidResourceQuantity: def('KFP4020', 'invalid-resource-quantity', 'error', 'a `cpu`, `memory` or `ephemeral_storage` (request, limit or range) that is not a Kubernetes quantity, or a request above its limit'),
  InvalidGpu: def('KFP4021', 'invalid-gpu', 'error', 'a `gpu` that is not a positive count, or a `gpu_vendor` that names no GPU resource'),
  InvalidRetry: def('KFP4022', 'invalid-retry', 'error', 'a `retry`, `retry_policy`, `backoff`, `backoff_factor` or `backoff_max` that Argo cannot take, or a backoff setting without `retry`'),
  InvalidDuration: def('KFP4023', 'invalid-duration', 'error', 'a `timeout`, `ttl` or `max_cache_staleness` that is not a duration in the form it takes'),
  InvalidLabel: def('KFP4024', 'invalid-label', 'error', 'a `node_selector`, `labels` or `annotations` key or value that Kubernetes refuses'),
  InvalidToleration: def('KFP4025', 'invalid-toleration', 'error', 'a `tolerations` entry that is not a Kubernetes toleration'),
  InvalidEnvName: def('KFP4026', 'invalid-env-name', 'error', 'an environment variable name Kubernetes refuses'),
  InvalidSecretReference: def('KFP4027', 'invalid-secret-reference', 'error', 'a `secret(name, key)`, `config_map(name, key)` or `image_pull_secrets` entry that is not a Kubernetes name (and key)'),
  InvalidMount: def('KFP4028', 'invalid-mount', 'error', 'a `mount` whose path is not absolute or whose value is not a volume task or `pvc("claim-name")` it can reach'),
  InvalidSidecar: def('KFP4029', 'invalid-sidecar', 'error', 'a `sidecars` or `init_containers` entry that is not a container kfpdsl can write'),
  InvalidParallelism: def('KFP4030', 'invalid-parallelism', 'error', 'a loop\'s or pipeline\'s `parallelism` below 1 or not an integer'),
  EmptyPipelineName: def('KFP4031', 'empty-pipeline-name', 'error', 'a pipeline whose name is empty or blank'),
  MisplacedFinally: def('KFP4032', 'misplaced-finally', 'error', 'a `finally` block nested in another block, or a second one in a pipeline'),
  MisplacedPipelineSetting: def('KFP4033', 'misplaced-pipeline-setting', 'error', 'a pipeline setting written inside a condition, loop or finally block'),
  MisplacedDescription: def('KFP4034', 'misplaced-description', 'error', 'a """ description inside a block instead of at the start of the pipeline'),
  DuplicateComponentPart: def('KFP4035', 'duplicate-component-part', 'error', 'a component with two descriptions or two code blocks'),
  DuplicateSetting: def('KFP4036', 'duplicate-setting', 'error', 'a setting given twice in the same block'),
  InvalidLoopItems: def('KFP4037', 'invalid-loop-items', 'error', 'a `for` over something other than a non-empty list of numbers, strings, booleans or records with the same identifier fields'),
  InvalidCondition: def('KFP4038', 'invalid-condition', 'error', 'an `if` condition that is not a bool, compares values of different kinds, or reads values a condition cannot'),
  UsedOutsideLoop: def('KFP4039', 'used-outside-its-loop', 'error', 'a volume or resource created inside a loop, used outside that loop'),
  FinallyDependency: def('KFP4040', 'finally-dependency', 'error', 'a `finally` task that waits for or uses a pipeline task, or the other way round'),
  InvalidManifest: def('KFP4041', 'invalid-manifest', 'error', 'a `resource(manifest: …)` that is not a record of literals and references with `apiVersion`, `kind` and `metadata.name`'),
  InvalidResourceArgument: def('KFP4042', 'invalid-resource-argument', 'error', 'a `resource(…)` `action` that is not a resource action, or an `action`, `success` or `failure` that is not a non-empty string'),
  InvalidResourceOutput: def('KFP4043', 'invalid-resource-output', 'error', 'a `resource(outputs: …)` that does not map output names to JSONPaths'),
  InvalidVolumeArgument: def('KFP4044', 'invalid-volume-argument', 'error', 'a `volume(…)` name, `storage_class` or `delete` of the wrong shape, or `delete: true` on a volume not at the top level'),
  InvalidVolumeSize: def('KFP4045', 'invalid-volume-size', 'error', 'a `volume(size: …)` that is not a storage quantity or a pipeline parameter'),
  InvalidAccessMode: def('KFP4046', 'invalid-access-mode', 'error', 'a `volume(mode: …)` that is not a Kubernetes access mode'),
  ConflictingImplementation: def('KFP4047', 'conflicting-implementation', 'error', 'a component with both a ```python block and a `command` or `args`'),
  SettingForOtherKind: def('KFP4048', 'setting-for-other-component-kind', 'error', '`packages` on a container component, or `env` on a Python component'),
  UnnamedContainerOutput: def('KFP4049', 'unnamed-container-output', 'error', 'a container component whose output is not named (`-> int` instead of `-> (out: int)`)'),
  NonPythonCode: def('KFP4050', 'non-python-code-block', 'error', 'a component code block in a language other than Python'),
  InvalidCommandLine: def('KFP4051', 'invalid-command-line', 'error', 'a container `command` or `args` that is not a list of strings, inputs, outputs, `concat(…)` and well-formed `if_present(…)`'),
  InvalidMetricName: def('KFP4052', 'invalid-metric-name', 'error', 'a metric name the KFP UI refuses'),
  InvalidMetricValue: def('KFP4053', 'invalid-metric-value', 'error', 'a metric whose value is a string, or whose format is not RAW or PERCENTAGE'),
  RequiredAfterOptional: def('KFP4054', 'required-after-optional', 'error', 'a required input declared after an optional one'),
  OutputWithDefault: def('KFP4055', 'output-with-default', 'error', 'an output declared with a default value'),
  GraphComponent: def('KFP4056', 'graph-component', 'error', 'an imported graph component that cannot be called: a task whose component is neither inline nor imported beside it (kfpdsl does not download), or a graph feature kfpdsl lacks'),
  InvalidCollect: def('KFP4057', 'invalid-collect', 'error', 'outputs collected from a loop that cannot be: a file output, or from more than one loop level at once'),
  UiOutputAsValue: def('KFP4058', 'ui-output-as-value', 'error', 'a `metrics` or `ui_metadata` output used as a value: it goes to the KFP UI, not to other tasks'),

  UnusedTask: def('KFP3101', 'unused-output', 'warning', 'a task bound to a name whose outputs nothing uses'),
  UnusedParameter: def('KFP3102', 'unused-parameter', 'warning', 'a pipeline parameter that nothing uses'),
  ArgoPlaceholder: def('KFP3103', 'argo-placeholder', 'warning', 'text that Argo would replace (`{{inputs.parameters.x}}`, `{{workflow.uid}}`, …) in a code block or a string'),

  NameTooLong: def('KFP5001', 'name-too-long', 'error', 'a name longer than Kubernetes or Argo accepts'),
  WorkflowTooLarge: def('KFP5002', 'workflow-too-large', 'warning', 'a workflow approaching (or past) Argo\'s 1 MiB limit'),
  AnnotationsTooLarge: def('KFP5003', 'annotations-too-large', 'error', 'annotations over Kubernetes\' 256 KiB total'),
  ArgumentTooLarge: def('KFP5004', 'argument-too-large', 'warning', 'a container argument over 128 KiB'),
  IntegerTooLarge: def('KFP5006', 'integer-too-large', 'error', 'a setting larger than the integer field Argo or Kubernetes stores it in (int32, int64)'),
  DuplicateUiOutput: def('KFP5007', 'duplicate-ui-output', 'error', '`--target kfp-v1`: a component with two `metrics` (or two `ui_metadata`) outputs, which KFP v1 would write to one artifact'),
  ImageWithoutTag: def('KFP5005', 'image-without-tag', 'warning', 'an image without a tag or with `:latest`'),
  KfpV2NotSupported: def('KFP5020', 'kfp-v2-not-supported', 'error', '`--target kfp-v2`: a construct KFP v2 cannot express (the pipeline\'s `parallelism`, `service_account`, `max_cache_staleness`, a `resource(...)` task, an `if` or `for` inside `finally`, a recursive pipeline call…)'),
  KfpV2UnsupportedType: def('KFP5021', 'kfp-v2-unsupported-type', 'error', '`--target kfp-v2`: a `ui_metadata` port, an imported graph component or a component.yaml placeholder that KFP v2 cannot express'),

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
  V2NotRunnable: def('KFP0112', 'v2-not-runnable', 'error', '`kfpdsl run` of a KFP v2 pipeline spec: a construct the local run cannot carry out (an importer, an artifact loop, a placeholder it cannot fill…), or a file that is not a pipeline spec'),

  // kfpdsl upload and submit: talking to a KFP API server or an Argo Server (src/cluster/*).
  ClusterUnreachable: def('KFP0200', 'cluster-unreachable', 'error', '`upload`/`submit`: the server cannot be reached (no such host, connection refused)'),
  ClusterDropped: def('KFP0201', 'cluster-connection-dropped', 'error', '`upload`/`submit`: the server closed the connection before answering'),
  ClusterTimeout: def('KFP0202', 'cluster-timeout', 'error', '`upload`/`submit`: the server did not answer within --timeout'),
  ClusterTls: def('KFP0203', 'cluster-tls', 'error', '`upload`/`submit`: the server\'s TLS certificate is not trusted (or TLS fails)'),
  ClusterUnauthorized: def('KFP0204', 'cluster-unauthorized', 'error', '`upload`/`submit`: the server answered 401 (no or wrong token or cookie)'),
  ClusterForbidden: def('KFP0205', 'cluster-forbidden', 'error', '`upload`/`submit`: the server answered 403 (the identity may not do this, in this namespace)'),
  ClusterNotFound: def('KFP0206', 'cluster-not-found', 'error', '`upload`/`submit`: the server answered 404 (wrong --host path, missing namespace or object)'),
  ClusterConflict: def('KFP0207', 'cluster-conflict', 'error', '`upload`/`submit`: the server answered 409 (a pipeline or version of that name exists)'),
  ClusterTooLarge: def('KFP0208', 'cluster-too-large', 'error', '`upload`/`submit`: the compiled pipeline is over the server\'s size limit (32 MiB for KFP uploads)'),
  ClusterRejected: def('KFP0209', 'cluster-rejected', 'error', '`upload`/`submit`: the server refused the request as invalid (400)'),
  ClusterServerError: def('KFP0210', 'cluster-server-error', 'error', '`upload`/`submit`: the server failed (5xx), after retries where a retry is safe'),
  ClusterBadResponse: def('KFP0211', 'cluster-bad-response', 'error', '`upload`/`submit`: an answer that is not the API\'s (not JSON, missing ids): likely not a KFP or Argo server'),
} as const satisfies Record<string, DiagnosticDef>;

export type CodeName = keyof typeof Codes;

export interface DiagnosticInit {
  readonly file?: SourceFile | undefined;
  readonly span?: Span | undefined;
  readonly label?: string | undefined;
  readonly hint?: string | undefined;
  readonly related?: readonly Related[] | undefined;
}

/**
 * A diagnostic of the catalog's code `name`. `file` and `span`, when given, win over init's:
 * the checker's report() passes them apart, since copying `init` to add them was a third of
 * the cost of 100,000 diagnostics.
 */
export function diag(name: CodeName, message: string, init: DiagnosticInit & { severity?: Severity } = {}, file: SourceFile | undefined = init.file, span: Span | undefined = init.span): Diagnostic {
  const d = Codes[name];
  const out: { -readonly [K in keyof Diagnostic]?: Diagnostic[K] } = {
    code: d.code,
    slug: d.slug,
    severity: init.severity ?? d.severity,
    message,
  };
  if (file) out.file = file;
  if (span) out.span = span;
  if (init.label) out.label = init.label;
  if (init.hint) out.hint = init.hint;
  if (init.related && init.related.length > 0) out.related = init.related;
  return out as Diagnostic;
}

export function allDefs(): DiagnosticDef[] {
  return Object.values(Codes);
}
