/**
 * `kfpdsl graph`: a pipeline's DAG on stdout as Mermaid (renders in GitHub markdown), Graphviz
 * DOT, a self-contained SVG picture, or an HTML page of that picture with hover details.
 */
import { entryPipelines } from '../check/pipeline-calls.js';
import { compileSource } from '../compile.js';
import { pipelineK8sName } from '../names.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { buildGraph, lineOfSource, toDot, toMermaid } from '../graph/graph.js';
import { toHtmlPage } from '../graph/html.js';
import { renderSvg } from '../graph/svg.js';
import { UsageError } from './files.js';
import { checkRootOption, isDiagnostic, loadSource } from './sources.js';

export type GraphFormat = 'mermaid' | 'dot' | 'svg' | 'html';

export function runGraph(path: string, opts: { format: GraphFormat; pipeline?: string; root?: string }, report: (d: readonly Diagnostic[]) => void): number {
  const source = loadSource(path, opts.root);
  const badRoot = checkRootOption(opts.root);
  if (isDiagnostic(source) || badRoot) {
    report(isDiagnostic(source) ? [source] : [badRoot!]);
    return 1;
  }
  const result = compileSource(source, { checkOnly: true, root: opts.root });
  report(result.diagnostics);
  if (hasErrors(result.diagnostics) || !result.program) return 1;
  const pipelines = result.program.pipelines;
  const chosen = opts.pipeline ? pipelines.filter((p) => p.displayName === opts.pipeline || pipelineK8sName(p.displayName) === opts.pipeline) : entryPipelines(pipelines);
  if (chosen.length !== 1) {
    const names = pipelines.map((p) => `"${p.displayName}"`).join(', ') || 'none';
    throw new UsageError(opts.pipeline ? `no pipeline named "${opts.pipeline}" in ${path} (it has ${names})` : `${path} has ${chosen.length} pipelines that no other calls (${chosen.map((p) => `"${p.displayName}"`).join(', ') || names}); choose one with --pipeline`);
  }
  const p = chosen[0]!;
  // Hover details name the line a task was written on: `file:line`, the file as diagnostics name it.
  const lineOf = lineOfSource(source);
  if (opts.format === 'dot') process.stdout.write(toDot(p));
  else if (opts.format === 'svg') process.stdout.write(renderSvg(buildGraph(p, lineOf)));
  else if (opts.format === 'html') process.stdout.write(toHtmlPage(buildGraph(p, lineOf), path));
  else process.stdout.write(toMermaid(p));
  return 0;
}
