/**
 * `kfpdsl graph`: a pipeline's DAG on stdout as Mermaid (renders in GitHub markdown), Graphviz
 * DOT, a self-contained SVG picture, or an HTML page of that picture with hover details.
 */
import { entryPipelines } from '../check/pipeline-calls.js';
import { compileSource } from '../compile.js';
import { pipelineK8sName } from '../names.js';
import { diag } from '../diagnostics/catalog.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { buildGraph, lineOfSource, toDot, toMermaid, type GraphItem } from '../graph/graph.js';
import { toHtmlPage } from '../graph/html.js';
import { renderSvg } from '../graph/svg.js';
import { UsageError } from './files.js';
import { checkRootOption, isDiagnostic, loadSource } from './sources.js';

export type GraphFormat = 'mermaid' | 'dot' | 'svg' | 'html';

/**
 * The most boxes (tasks and groups) an SVG or HTML picture is laid out with. dagre's layout is
 * superlinear and recursive: 400 loops took 3 s, 1,000 over a minute, and a chain of 2,000
 * tasks overflowed its stack; a picture of more boxes than this is unreadable anyway.
 */
export const MAX_PICTURE_BOXES = 500;

function boxes(items: readonly GraphItem[]): number {
  let n = 0;
  const stack = [...items];
  while (stack.length > 0) {
    const item = stack.pop()!;
    n++;
    if (item.kind === 'group') stack.push(...item.children);
  }
  return n;
}

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
  else if (opts.format === 'mermaid') process.stdout.write(toMermaid(p));
  else {
    const g = buildGraph(p, lineOf);
    const n = boxes(g.items);
    if (n > MAX_PICTURE_BOXES) {
      report([
        diag('GraphTooLarge', `pipeline "${p.displayName}" has ${n.toLocaleString('en-US')} tasks and groups; a ${opts.format} picture is laid out for at most ${MAX_PICTURE_BOXES}`, {
          file: source,
          hint: '`--format dot` (for Graphviz) or `--format mermaid` write a graph of any size',
        }),
      ]);
      return 1;
    }
    process.stdout.write(opts.format === 'svg' ? renderSvg(g) : toHtmlPage(g, path));
  }
  return 0;
}
