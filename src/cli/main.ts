/**
 * The kfpdsl command line. Exit codes: 0 success, 1 errors reported as diagnostics (in the
 * sources, in paths, out-of-date files, a failed run), 2 usage errors (the command line
 * itself), 3 internal errors (a bug in kfpdsl), 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM.
 * Diagnostics go to stderr; nothing is written when any error is found.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backendNamed, BACKENDS, DEFAULT_TARGET } from '../backends/index.js';
import { compileSource } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { DEFAULT_MAX_ERRORS } from '../diagnostics/limit.js';
import { applyPolicy } from '../diagnostics/policy.js';
import type { Format } from '../diagnostics/render.js';
import { runBuild, type BuildOptions } from './build.js';
import { UsageError } from './files.js';
import { runFmt } from './fmt.js';
import { runGraph, type GraphFormat } from './graph.js';
import { listRuns, showRun, type RunsOptions } from './runs.js';
import { runImport } from './import.js';
import { exitStatus, report, summary } from './report.js';
import type { RunCliOptions } from './run.js';
import { checkRootOption, loadSources, nothingToCompile, uniqueDiagnostics } from './sources.js';
import { clusterOptions } from '../cluster/options.js';

declare const KFPDSL_VERSION: string;
const version = typeof KFPDSL_VERSION === 'string' ? KFPDSL_VERSION : '0.0.0-dev';

/** Exit status of an internal error: a bug in kfpdsl, never a mistake of the user's. */
export const EXIT_INTERNAL = 3;

interface CommonOptions {
  format: Format;
  deny: string[];
  allow: string[];
  root?: string;
  maxErrors: number;
  target: string;
}

function runCheck(paths: string[], opts: CommonOptions): number {
  // A module's importers are checked with it: a change to the module can break them.
  const { sources, diagnostics: found } = loadSources(paths, { root: opts.root });
  const badRoot = checkRootOption(opts.root);
  const diagnostics: Diagnostic[] = badRoot ? [badRoot, ...found] : [...found];
  for (const source of sources) {
    const result = compileSource(source, { checkOnly: true, root: opts.root, backend: backendNamed(opts.target)!, maxErrors: opts.maxErrors });
    // One by one: a spread of 100,000 diagnostics overflows the stack.
    for (const d of result.diagnostics) diagnostics.push(d);
    if (result.program && result.program.components.length === 0 && result.program.pipelines.length === 0) diagnostics.push(nothingToCompile(source));
  }
  const shown = applyPolicy(uniqueDiagnostics(diagnostics), opts);
  report(shown, opts.format, opts.maxErrors);
  summary(shown, sources.length, opts.format);
  return exitStatus(shown);
}

function internalError(e: unknown): number {
  process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\nthis is a bug in kfpdsl; please report it with the input attached\n`);
  return EXIT_INTERNAL;
}

function rootOption(): Option {
  return new Option('--root <dir>', 'the project root (default: the nearest directory above each source holding .git, package.json or kfpdsl.yaml)');
}

/** `--target`: which backend lowers the program; an unknown name is a usage error that lists them. */
function targetOption(): Option {
  const described = BACKENDS.map((b) => `${b.name}: ${b.description}`).join('; ');
  return new Option('--target <target>', `what to compile to (${described})`).choices(BACKENDS.map((b) => b.name)).default(DEFAULT_TARGET);
}

function formatOption(): Option {
  return new Option('--format <format>', 'how diagnostics are printed').choices(['pretty', 'short', 'json']).default('pretty');
}

function maxErrorsOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number (0 for no limit)');
  return Number(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function policyOptions(cmd: Command): Command {
  return cmd
    .option('--deny <codes>', 'treat these warnings as errors: `warnings` for all, or codes/slugs (KFP3101, unused-output)', collect, [])
    .option('--allow <codes>', 'silence these warnings (codes or slugs)', collect, [])
    .option('--max-errors <n>', `print at most n diagnostics per file, then how many more (0: all)`, maxErrorsOption, DEFAULT_MAX_ERRORS);
}

export function main(argv: readonly string[]): number {
  let code = 0;
  let pending: Promise<void> | undefined;
  const program = new Command('kfpdsl')
    .description('Compile .kfp pipelines to Argo Workflow YAML for Kubeflow Pipelines v1')
    .version(version, '-V, --version')
    // Program options only before the command: `upload --version NAME` is the upload's own option.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  const build = program
    .command('build')
    .description('compile .kfp files (or directories of them) to Argo Workflow YAML and component.yaml files')
    .argument('<paths...>', '.kfp files or directories')
    .option('-o, --out <dir>', 'write each source D/S.kfp to OUT/<D relative to the project root>/S/ (default: D/S/, beside the source)')
    .addOption(rootOption())
    .option('--check', 'write nothing; fail if the files on disk differ from what would be written')
    .addOption(targetOption())
    .option('--verify', 'parse every output back and check it holds exactly what was compiled (without it, only the schema is checked)')
    .addOption(formatOption());
  policyOptions(build).action((paths: string[], opts: BuildOptions) => {
    const result = runBuild(paths, opts);
    if (typeof result === 'number') code = result;
    else {
      // Writing yields to the event loop (so that a signal can stop it cleanly): the exit
      // status is set when it ends.
      pending = result.then(
        (c) => {
          process.exitCode = c;
        },
        (e: unknown) => {
          process.exitCode = internalError(e);
        },
      );
    }
  });
  const checkCmd = program
    .command('check')
    .description('check .kfp files (or directories of them) and report every problem; writes nothing')
    .argument('<paths...>', '.kfp files or directories')
    .addOption(rootOption())
    .addOption(targetOption())
    .addOption(formatOption());
  policyOptions(checkCmd).action((paths: string[], opts: CommonOptions) => {
    code = runCheck(paths, opts);
  });
  program
    .command('run')
    .description("compile one pipeline and run it on this machine, each task a local process (images are not pulled: tasks use this machine's sh and python3)")
    .argument('<file>', 'the .kfp file, or a KFP v2 pipeline spec (.yaml) to run as it is')
    .option('--arg <name=value>', 'set a pipeline parameter (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--pipeline <name>', 'which pipeline to run when the file defines several (display name or Kubernetes name)')
    .option('--run-dir <dir>', 'where run directories are made', '.kfpdsl/runs')
    .option('--parallelism <n>', 'at most this many tasks at once (default: the number of CPUs)')
    .option('--secrets <file>', 'secrets as a JSON or YAML {name: {key: value}} file (or set KFPDSL_SECRET_<NAME>_<KEY>)')
    .option('--config-maps <file>', 'config maps as a JSON or YAML {name: {key: value}} file (or set KFPDSL_CONFIGMAP_<NAME>_<KEY>)')
    .option('--env-file <file>', 'NAME=value lines added to every task\'s environment (KFPDSL_SECRET_… lines provide secrets)')
    .option('--seed <n>', 'set PYTHONHASHSEED and KFPDSL_SEED for every task (Python\'s random module is not seeded by it)')
    .option('--skip-packages', 'do not install components\' packages: assume they are installed in the tasks\' python3')
    .option('--python <path>', 'the Python interpreter for tasks and for the virtual environments of components\' packages (default: python3 on PATH)')
    .addOption(new Option('--format <format>', 'pretty: progress and summary tables; short: plain lines; json: run.json on stdout').choices(['pretty', 'short', 'json']).default('pretty'))
    .option('-q, --quiet', 'no progress, only failures and a one-line result')
    .addOption(rootOption())
    .addOption(targetOption())
    .action((file: string, opts: RunCliOptions, command: Command) => {
      // A pipeline spec (.yaml) runs as kfp-v2 unless --target says otherwise, which run.ts refuses: it needs to know whether --target was given.
      const given = command.getOptionValueSource('target') === 'cli' ? opts : { ...opts, target: undefined };
      // Loaded on demand: `run` needs child processes and the executor, check and build do not.
      void import('./run.js').then(({ startRun }) => startRun(file, given));
    });
  program
    .command('fmt')
    .description('rewrite .kfp files (or directories of them) in canonical form, keeping comments')
    .argument('<paths...>', '.kfp files or directories')
    .option('--check', 'write nothing; fail listing the files that are not formatted')
    .addOption(formatOption())
    .action((paths: string[], opts: { check?: boolean; format: Format }) => {
      code = runFmt(paths, opts.check ?? false, (d) => report(d, opts.format));
    });
  // upload and submit talk to a cluster; loaded on demand, like run.
  clusterOptions(
    program
      .command('upload')
      .description('compile a .kfp file and upload each pipeline to Kubeflow Pipelines (a new pipeline, or a new version of the one of that name)')
      .argument('<file>', 'the .kfp file')
      .option('--name <name>', 'the pipeline name in KFP (default: the pipeline\'s name in the source)')
      .option('--description <text>', 'the pipeline description (default: its description in the source)')
      .option('--version <name>', 'the version name, when the pipeline exists (default: v<UTC time>)'),
    'what to compile to: kfp-v1 (the default; uploaded through the v1beta1 API) or kfp-v2 (through v2beta1)',
  ).action((file: string, opts: unknown) => {
    void Promise.all([import('../cluster/command.js'), import('./upload.js')]).then(([{ startCluster }, { uploadCommand }]) => startCluster(uploadCommand, file, opts));
  });
  clusterOptions(
    program
      .command('submit')
      .description('compile one pipeline and start a run of it on Kubeflow Pipelines (--host) or an Argo Server (--argo)')
      .argument('<file>', 'the .kfp file')
      .option('--experiment <name>', 'the KFP experiment of the run (created if missing)')
      .option('--arg <name=value>', 'set a pipeline parameter (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
      .option('--run-name <name>', 'the run\'s name (default: the pipeline\'s name and the UTC time)')
      .option('--argo <url>', 'submit to this Argo Server instead of KFP (needs --namespace), e.g. https://localhost:2746')
      .option('--service-account <name>', 'the Kubernetes service account the run\'s pods use')
      .option('--wait', 'follow the run, one line per task change, and exit 0 if it succeeds, 1 if not')
      .option('--dry-run', "with --argo: have the Argo Server lint the workflow, submit nothing")
      .option('--poll-interval <seconds>', 'with --wait, how often to ask the server', '5'),
    'what to compile to (default: kfp-v1 with --host, argo with --argo; --host also takes kfp-v2, --argo kfp-v1)',
  ).action((file: string, opts: unknown) => {
    void Promise.all([import('../cluster/command.js'), import('./submit.js')]).then(([{ startCluster }, { submitCommand }]) => startCluster(submitCommand, file, opts));
  });
  program
    .command('import')
    .description('turn a kfp v1 compiled pipeline (Argo Workflow YAML) or a component.yaml into a .kfp file')
    .argument('<file>', 'the .yaml file')
    .option('-o, --out <dir>', 'write <file name>.kfp into this directory (default: print it)')
    .option('--strict', 'exit 1 when anything could not be translated (kept as comments)')
    .addOption(formatOption())
    .action((file: string, opts: { out?: string; strict?: boolean; format: Format }) => {
      code = runImport(file, opts, (d) => report(d, opts.format));
    });
  program
    .command('lsp')
    .description('start the language server (Language Server Protocol over stdin/stdout) for editors: diagnostics as `check` gives them, hover, go to definition, outline, formatting, completion')
    .option('--stdio', 'talk over stdin/stdout (the default and only transport; accepted because editors pass it)')
    .action(() => {
      // Loaded on demand, like run: only the server needs the protocol library.
      void import('../lsp/server.js').then(({ startLanguageServer }) => startLanguageServer());
    });
  program
    .command('graph')
    .description("print a pipeline's DAG as Mermaid (renders in GitHub markdown), Graphviz DOT, or a self-contained SVG or HTML picture (HTML: hover a task for its details)")
    .argument('<file>', 'the .kfp file')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'svg', 'html']).default('mermaid'))
    .option('--pipeline <name>', 'which pipeline, when the file defines several')
    .addOption(rootOption())
    .action((file: string, opts: { format: GraphFormat; pipeline?: string; root?: string }) => {
      code = runGraph(file, opts, (d) => report(d, 'pretty'));
    });
  const runs = program
    .command('runs')
    .description('list the runs of `kfpdsl run` under the run directory, newest first')
    .option('--run-dir <dir>', 'where run directories are', '.kfpdsl/runs')
    .addOption(new Option('--format <format>', 'pretty: a table; json: one array').choices(['pretty', 'json']).default('pretty'))
    .action((opts: RunsOptions) => {
      code = listRuns(opts);
    });
  runs
    .command('show')
    .description("print a run's summary again and write its report.html (also for a run that did not finish)")
    .argument('<id>', 'the run id (or a unique beginning of it, or the run directory)')
    .option('--run-dir <dir>', 'where run directories are', '.kfpdsl/runs')
    .option('--open', 'open report.html in a browser ($BROWSER, or the system opener)')
    .action((id: string, opts: RunsOptions & { open?: boolean }) => {
      code = showRun(id, opts);
    });
  // `kfpdsl build x --version` prints the version too: with positional options the program's
  // own flag is only seen before the command, so each command gets it. A command with its own
  // `--version` (upload's version name) keeps it and gets `-V` alone.
  for (const cmd of program.commands) {
    const own = cmd.options.some((o) => o.long === '--version');
    cmd.version(version, own ? '-V' : '-V, --version', 'output the version number');
  }
  try {
    program.parse(argv as string[], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    return internalError(e);
  }
  void pending;
  return code;
}

