/**
 * `kfpdsl graph --format html`: the SVG picture in a page of its own, with hover details
 * (component, inputs, settings, source line) shown beside the pointer. Self-contained: the
 * style and the few lines of script are inline; nothing is fetched.
 */
import type { Graph } from './graph.js';
import { esc, scriptJson } from './markup.js';
import { renderSvg } from './svg.js';

/** The page's shared style: the run report uses it too. */
export const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;padding:16px 24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK KR","Malgun Gothic",sans-serif;color:#212121;background:#fff}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
.meta{color:#616161;margin:0 0 12px}
.graph{overflow:auto;border:1px solid #e0e0e0;border-radius:6px;padding:8px;background:#fff}
.tip{position:fixed;display:none;max-width:480px;background:#263238;color:#eceff1;padding:8px 10px;border-radius:6px;font-size:12px;pointer-events:none;z-index:10;box-shadow:0 2px 8px rgba(0,0,0,.3)}
.tip table{border-collapse:collapse}
.tip th{text-align:left;color:#b0bec5;padding:1px 8px 1px 0;vertical-align:top;font-weight:normal;white-space:nowrap}
.tip td{padding:1px 0;white-space:pre-wrap;word-break:break-word}
.kfpdsl-graph .node{cursor:default}
.kfpdsl-graph .node:hover rect,.kfpdsl-graph .node:hover path.shape{stroke-width:2.5}
`;

/** The script that shows a node's details beside the pointer; `details` maps node ids to [key, value] rows. */
export const TIP_SCRIPT = `
(function(){
  var details = JSON.parse(document.getElementById('kfpdsl-details').textContent);
  var tip = document.getElementById('kfpdsl-tip');
  function row(k, v){ var tr = document.createElement('tr'); var th = document.createElement('th'); th.textContent = k; var td = document.createElement('td'); td.textContent = v; tr.appendChild(th); tr.appendChild(td); return tr; }
  document.querySelectorAll('.kfpdsl-graph .node').forEach(function(n){
    var title = n.querySelector('title'); if (title) title.remove();
    n.addEventListener('mouseenter', function(){
      var d = details[n.getAttribute('data-id')] || [];
      var t = document.createElement('table');
      d.forEach(function(kv){ t.appendChild(row(kv[0], kv[1])); });
      tip.replaceChildren(t); tip.style.display = 'block';
    });
    n.addEventListener('mousemove', function(e){ tip.style.left = (e.clientX + 14) + 'px'; tip.style.top = (e.clientY + 14) + 'px'; });
    n.addEventListener('mouseleave', function(){ tip.style.display = 'none'; });
  });
})();
`;

/** Node id → the rows its hover shows (first row: the task's name). */
export function detailsOf(g: Graph, extra?: (task: string) => [string, string][]): Record<string, [string, string][]> {
  const out: Record<string, [string, string][]> = {};
  const walk = (items: Graph['items']): void => {
    for (const it of items) {
      if (it.kind === 'group') walk(it.children);
      else out[it.id] = [['task', it.lines[0] ?? it.id], ...it.details, ...(it.task !== undefined && extra ? extra(it.task) : [])];
    }
  };
  walk(g.items);
  return out;
}

export function toHtmlPage(g: Graph, source: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kfpdsl">
<title>${esc(g.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>${esc(g.title)}</h1>
<p class="meta">${esc(source)} · hover a task for its component, inputs, settings and source line</p>
<div class="graph">
${renderSvg(g)}</div>
<div class="tip" id="kfpdsl-tip"></div>
<script type="application/json" id="kfpdsl-details">${scriptJson(detailsOf(g))}</script>
<script>${TIP_SCRIPT}</script>
</body>
</html>
`;
}
