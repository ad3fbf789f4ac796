/**
 * The kfpdsl command line. Exit codes: 0 success, 1 user errors in the sources,
 * 2 usage errors or internal failures. Diagnostics go to stderr; nothing is written
 * when any error is found.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { compileSource } from '../compile.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { DEFAULT_MAX_ERRORS, limitPerFile } from '../diagnostics/limit.js';
import { applyPolicy } from '../diagnostics/policy.js';
import { renderAll, type Format } from '../diagnostics/render.js';
import { SourceFile } from '../source.js';
import { collectSources, readSource, safeJoin, UsageError, writeAll } from './files.js';
import { runFmt } from './fmt.js';
import { runGraph } from './graph.js';
import type { RunCliOptions } from './run.js';

declare const KFPDSL_VERSION: string;
const version = typeof KFPDSL_VERSION === 'string' ? KFPDSL_VERSION : '0.0.0-dev';

interface CommonOptions {
  format: Format;
  deny: string[];
  allow: string[];
  maxErrors: number;
}

function useColour(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env['NO_COLOR'];
}

/** Diagnostics go to stderr, except `--format json`: one array on stdout, empty or not, for tools to read. */
function report(all: readonly Diagnostic[], format: Format, maxErrors = DEFAULT_MAX_ERRORS): void {
  const diagnostics = limitPerFile(all, maxErrors);
  if (format === 'json') {
    process.stdout.write(renderAll(diagnostics, 'json'));
    return;
  }
  if (diagnostics.length === 0) return;
  process.stderr.write(renderAll(diagnostics, format, format === 'pretty' && useColour()));
}

function summary(diagnostics: readonly Diagnostic[], files: number, format: Format): void {
  if (format !== 'pretty') return;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (errors + warnings === 0) return;
  const parts = [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : ''].filter(Boolean);
  process.stderr.write(`\n${parts.join(', ')} in ${files} file${files === 1 ? '' : 's'}\n`);
}

function loadSources(paths: readonly string[]): SourceFile[] {
  return collectSources(paths).map((p) => new SourceFile(p, readSource(p)));
}

function runCheck(paths: string[], opts: CommonOptions): number {
  const sources = loadSources(paths);
  const diagnostics = applyPolicy(sources.flatMap((s) => compileSource(s, { checkOnly: true }).diagnostics), opts);
  report(diagnostics, opts.format, opts.maxErrors);
  summary(diagnostics, sources.length, opts.format);
  return hasErrors(diagnostics) ? 1 : 0;
}

interface BuildOptions extends CommonOptions {
  out?: string;
  components?: string;
  check?: boolean;
}

function runBuild(paths: string[], opts: BuildOptions): number {
  const sources = loadSources(paths);
  const diagnostics: Diagnostic[] = [];
  const planned = new Map<string, { text: string; from: string }>();
  for (const source of sources) {
    const result = compileSource(source);
    for (const d of result.diagnostics) diagnostics.push(d);
    // One source writes straight into -o; several each get a subdirectory named after the file.
    const outDir = opts.out === undefined ? dirname(source.path) : sources.length > 1 ? join(opts.out, basename(source.path, '.kfp')) : opts.out;
    for (const f of result.files) {
      const target = f.kind === 'component' && opts.components ? safeJoin(opts.components, f.path.replace(/^components\//, '')) : safeJoin(outDir, f.path);
      const prev = planned.get(target);
      if (prev && prev.text !== f.text) {
        throw new UsageError(`${source.path} and ${prev.from} both write ${target} with different contents; give each its own -o directory`);
      }
      planned.set(target, { text: f.text, from: source.path });
    }
  }
  const shown = applyPolicy(diagnostics, opts);
  report(shown, opts.format, opts.maxErrors);
  summary(shown, sources.length, opts.format);
  if (hasErrors(shown)) return 1;
  if (opts.check) {
    const stale = [...planned].filter(([path, f]) => !existsSync(path) || readFileSync(path, 'utf8') !== f.text).map(([p]) => p);
    for (const p of stale) process.stderr.write(`out of date: ${p}\n`);
    if (stale.length > 0) process.stderr.write(`${stale.length} compiled file${stale.length > 1 ? 's are' : ' is'} out of date; run kfpdsl build to update\n`);
    return stale.length > 0 ? 1 : 0;
  }
  writeAll(new Map([...planned].map(([p, f]) => [p, f.text])));
  if (opts.format === 'pretty') process.stdout.write([...planned.keys()].map((p) => `wrote ${p}\n`).join(''));
  return 0;
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
  const program = new Command('kfpdsl')
    .description('Compile .kfp pipelines to Argo Workflow YAML for Kubeflow Pipelines v1')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  const build = program
    .command('build')
    .description('compile .kfp files (or directories of them) to Argo Workflow YAML and component.yaml files')
    .argument('<paths...>', '.kfp files or directories')
    .option('-o, --out <dir>', 'output directory; with several sources, one subdirectory per file (default: beside each source file)')
    .option('--components <dir>', 'write component.yaml files here (default: <out>/components)')
    .option('--check', 'write nothing; fail if the files on disk differ from what would be written')
    .addOption(formatOption());
  policyOptions(build).action((paths: string[], opts: BuildOptions) => {
    code = runBuild(paths, opts);
  });
  const checkCmd = program
    .command('check')
    .description('check .kfp files (or directories of them) and report every problem; writes nothing')
    .argument('<paths...>', '.kfp files or directories')
    .addOption(formatOption());
  policyOptions(checkCmd).action((paths: string[], opts: CommonOptions) => {
    code = runCheck(paths, opts);
  });
  program
    .command('run')
    .description("compile one pipeline and run it on this machine, each task a local process (images are not pulled: tasks use this machine's sh and python3)")
    .argument('<file>', 'the .kfp file')
    .option('--arg <name=value>', 'set a pipeline parameter (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--pipeline <name>', 'which pipeline to run when the file defines several (display name or Kubernetes name)')
    .option('--run-dir <dir>', 'where run directories are made', '.kfpdsl/runs')
    .option('--parallelism <n>', 'at most this many tasks at once (default: the number of CPUs)')
    .option('--secrets <file>', 'secrets as a JSON or YAML {name: {key: value}} file (or set KFPDSL_SECRET_<NAME>_<KEY>)')
    .option('--config-maps <file>', 'config maps as a JSON or YAML {name: {key: value}} file (or set KFPDSL_CONFIGMAP_<NAME>_<KEY>)')
    .option('--env-file <file>', 'NAME=value lines added to every task\'s environment (KFPDSL_SECRET_… lines provide secrets)')
    .option('--seed <n>', 'set PYTHONHASHSEED and KFPDSL_SEED for every task (Python\'s random module is not seeded by it)')
    .option('--skip-packages', 'do not pip install components\' packages: assume they are installed here')
    .addOption(new Option('--format <format>', 'pretty: progress and summary tables; short: plain lines; json: run.json on stdout').choices(['pretty', 'short', 'json']).default('pretty'))
    .option('-q, --quiet', 'no progress, only failures and a one-line result')
    .action((file: string, opts: RunCliOptions) => {
      // Loaded on demand: `run` needs child processes and the executor, check and build do not.
      void import('./run.js').then(({ startRun }) => startRun(file, opts));
    });
  program
    .command('fmt')
    .description('rewrite .kfp files (or directories of them) in canonical form, keeping comments')
    .argument('<paths...>', '.kfp files or directories')
    .option('--check', 'write nothing; fail listing the files that are not formatted')
    .action((paths: string[], opts: { check?: boolean }) => {
      code = runFmt(paths, opts.check ?? false, (d) => report(d, 'pretty'));
    });
  program
    .command('graph')
    .description("print a pipeline's DAG as Mermaid (renders in GitHub markdown) or Graphviz DOT")
    .argument('<file>', 'the .kfp file')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'))
    .option('--pipeline <name>', 'which pipeline, when the file defines several')
    .action((file: string, opts: { format: 'mermaid' | 'dot'; pipeline?: string }) => {
      code = runGraph(file, opts, (d) => report(d, 'pretty'));
    });
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
    process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\nthis is a bug in kfpdsl; please report it with the input attached\n`);
    return 2;
  }
  return code;
}

