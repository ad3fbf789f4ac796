/**
 * Checks a pipeline and turns it into a target-neutral IrPipeline. This file only
 * coordinates; each rule lives in a file of its own and shares the tables of
 * pipeline-state.ts:
 *
 * 1. declaration of tasks and their ids (declare-tasks.ts), pipeline parameters here;
 * 2. pipeline settings (settings.ts) and the `finally` block, here;
 * 3. the IR, statement by statement (build-ir.ts), resolving references (resolve-refs.ts)
 *    and typing each call's arguments (type-arguments.ts);
 * 4. the task graph has no cycle (task-graph.ts);
 * 5. unused parameters and outputs (unused.ts), only when nothing else is wrong;
 * 6. the pipeline's name.
 *
 * The order is the diagnostics' contract: later rules stay quiet after earlier errors.
 */
import type { IrComponent, IrNode, IrParam, IrPipeline, IrPipelineSettings, IrSpan } from '../ir/ir.js';
import { pipelineK8sName } from '../names.js';
import type { Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { nonEmpty, statements } from './build-ir.js';
import { checkParams } from './check-component.js';
import type { CheckContext } from './context.js';
import { assignTaskIds, declare } from './declare-tasks.js';
import { GENERATE_NAME_MAX } from './name-limits.js';
import { PipelineState } from './pipeline-state.js';
import { checkPipelineSetting } from './settings.js';
import { checkCycles } from './task-graph.js';
import { checkPipelineOutputs, pipelineParamTypes } from './pipeline-calls.js';
import { checkUnused } from './unused.js';

export { MAX_ELIF } from './build-ir.js';

export function checkPipeline(ctx: CheckContext, p: ast.PipelineDecl, components: ReadonlyMap<string, IrComponent>): IrPipeline {
  const ps = new PipelineState(ctx, components);
  const params: IrParam[] = checkParams(ps.ctx, p.params, pipelineParamTypes(p), 'pipeline parameter').map((port) => ({
    name: port.name,
    type: port.type,
    ...(port.default ? { default: port.default } : {}),
  }));
  // By name, the first of each (a lookup per parameter in the list was quadratic: 100,000 parameters took minutes).
  const byName = new Map<string, IrParam>();
  for (const x of params) if (!byName.has(x.name)) byName.set(x.name, x);
  for (const decl of p.params) {
    const param = byName.get(decl.name.name);
    if (param && !ps.scope.has(param.name)) ps.scope.set(param.name, { kind: 'param', param, span: decl.name.span });
  }
  declare(ps, p.body, [], false);
  assignTaskIds(ps);
  const settings: IrPipelineSettings = {};
  const settingOrigins: { [setting: string]: IrSpan } = Object.create(null) as { [setting: string]: IrSpan };
  const seenSettings = new Map<string, ast.Setting>();
  let exit: IrNode[] | undefined;
  let finallySpan: Span | undefined;
  const mainBody: ast.Statement[] = [];
  for (const s of p.body) {
    if (s.kind === 'Setting') {
      checkPipelineSetting(ps.ctx, s, settings, seenSettings);
      settingOrigins[s.name.name] ??= { start: s.value.span.start, end: s.value.span.end };
    }
    else if (s.kind === 'FinallyStmt') {
      if (finallySpan) {
        ps.ctx.report('MisplacedFinally', 'a pipeline has at most one `finally` block', s.keywordSpan, { related: [ps.ctx.related(finallySpan, 'the first one')] });
        continue;
      }
      finallySpan = s.keywordSpan;
      exit = nonEmpty(ps, statements(ps, s.body, [], true), finallySpan, '`finally` block');
    } else mainBody.push(s);
  }
  const body = nonEmpty(ps, statements(ps, mainBody, [], false), p.nameSpan, 'pipeline');
  const outputs = checkPipelineOutputs(ps, p);
  checkCycles(ps);
  checkUnused(ps);
  // The name every Kubernetes target derives from the pipeline's (kfp's sanitize_k8s_name).
  const name = pipelineK8sName(p.name);
  if (name.length + 1 > GENERATE_NAME_MAX) {
    ps.ctx.report('NameTooLong', `the workflow name \`${name.slice(0, 40)}…-\` is ${name.length + 1} characters; Kubernetes keeps at most ${GENERATE_NAME_MAX}`, p.nameSpan, {
      hint: "shorten the pipeline name (it becomes the Workflow's generateName)",
    });
  }
  if (p.name.trim() === '') ps.ctx.report('EmptyPipelineName', 'a pipeline needs a name', p.nameSpan, { hint: 'e.g. pipeline "train model" () { … }' });
  return {
    displayName: p.name,
    ...(p.callName ? { name: p.callName.name } : {}),
    ...(outputs ? { outputs } : {}),
    nameOrigin: { start: p.nameSpan.start, end: p.nameSpan.end },
    ...(p.description ? { description: p.description.text } : {}),
    params,
    body,
    ...(exit ? { exit } : {}),
    settings,
    ...(Object.keys(settingOrigins).length ? { settingOrigins: { ...settingOrigins } } : {}),
    origin: { start: p.span.start, end: p.span.end },
  };
}

