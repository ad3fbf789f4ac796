/** `kfpdsl graph`: a pipeline's DAG as Mermaid (renders in GitHub markdown) or Graphviz DOT, on stdout. */
import { compileSource } from '../compile.js';
import { pipelineK8sName } from '../names.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { toDot, toMermaid } from '../graph/graph.js';
import { UsageError } from './files.js';
import { checkRootOption, isDiagnostic, loadSource } from './sources.js';

export function runGraph(path: string, opts: { format: 'mermaid' | 'dot'; pipeline?: string; root?: string }, report: (d: readonly Diagnostic[]) => void): number {
  const source = loadSource(path);
  const badRoot = checkRootOption(opts.root);
  if (isDiagnostic(source) || badRoot) {
    report(isDiagnostic(source) ? [source] : [badRoot!]);
    return 1;
  }
  const result = compileSource(source, { checkOnly: true, root: opts.root });
  report(result.diagnostics);
  if (hasErrors(result.diagnostics) || !result.program) return 1;
  const pipelines = result.program.pipelines;
  const chosen = opts.pipeline ? pipelines.filter((p) => p.displayName === opts.pipeline || pipelineK8sName(p.displayName) === opts.pipeline) : pipelines;
  if (chosen.length !== 1) {
    const names = pipelines.map((p) => `"${p.displayName}"`).join(', ') || 'none';
    throw new UsageError(opts.pipeline ? `no pipeline named "${opts.pipeline}" in ${path} (it has ${names})` : `${path} has ${pipelines.length} pipelines (${names}); choose one with --pipeline`);
  }
  process.stdout.write(opts.format === 'dot' ? toDot(chosen[0]!) : toMermaid(chosen[0]!));
  return 0;
}
