/**
 * Pipelines of .kfp modules, called from the program (`import "lib.kfp" as lib` then
 * `lib.train(...)`). A module checks its callable pipelines itself (check-module.ts); here the
 * program gives each one it calls a name unique among its pipelines (`train`, or `lib_train`
 * beside a local `train`), and copies its IR into IrProgram.graphs with the names the program
 * uses: its components as the program compiles them (added to the program's components when it
 * does not call them itself), the module's pipelines it calls in turn, spans naming the module.
 */
import type { IrComponent, IrNode, IrPipeline, IrSpan } from '../ir/ir.js';
import type * as ast from '../syntax/ast.js';
import type { LoadedModule, ModuleLoader } from './check-module.js';
import type { CheckContext } from './context.js';
import { renamedSignature } from './pipeline-calls.js';

export interface ImportedPipelines {
  /** By the name the program calls them with (`lib.train`, or `train` for a module imported without `as`). */
  readonly signatures: ReadonlyMap<string, IrComponent>;
  /** The IR of every module pipeline the checked pipelines call, directly or through each other. */
  graphs(pipelines: readonly IrPipeline[]): IrPipeline[];
}

export function importedPipelines(
  ctx: CheckContext,
  doc: ast.Document,
  loader: ModuleLoader,
  components: IrComponent[],
  byOriginal: Map<IrComponent, IrComponent>,
  /** Pipeline names the program uses otherwise: its graph components' (graph-components.ts names each pipeline after its import). */
  reserved: ReadonlySet<string> = new Set(),
): ImportedPipelines {
  const local = new Set(doc.pipelines.flatMap((p) => (p.callName ? [p.callName.name] : [])));
  const taken = new Set([...local, ...reserved]);
  const signatures = new Map<string, IrComponent>();
  /** Program name → the module and the pipeline's name there. */
  const origin = new Map<string, { mod: LoadedModule; name: string }>();
  /** Per module, its pipelines' program names. */
  const named = new Map<LoadedModule, Map<string, string>>();
  const programName = (mod: LoadedModule, name: string, alias: string | undefined): string => {
    const names = named.get(mod) ?? new Map<string, string>();
    named.set(mod, names);
    let n = names.get(name);
    if (n !== undefined) return n;
    const base = alias ? `${alias}_${name}` : name;
    n = taken.has(name) ? base : name;
    for (let k = 2; taken.has(n); k++) n = `${base}_${k}`;
    taken.add(n);
    names.set(name, n);
    origin.set(n, { mod, name });
    return n;
  };

  for (const imp of doc.imports) {
    if (!imp.path.endsWith('.kfp')) continue;
    const mod = loader.load(ctx, imp);
    if (!mod?.pipelines) continue;
    for (const [name, sig] of mod.pipelines.signatures) {
      const key = imp.name ? `${imp.name.name}.${name}` : name;
      if (!imp.name && local.has(name)) {
        ctx.report('ImportClash', `pipeline \`${name}\` is defined here and imported from \`${imp.path}\``, imp.pathSpan, {
          hint: `import the module with \`as NAME\` and call \`NAME.${name}(...)\``,
        });
        continue;
      }
      if (signatures.has(key)) continue;
      signatures.set(key, renamedSignature(sig, programName(mod, name, imp.name?.name)));
    }
  }

  const graphs = (pipelines: readonly IrPipeline[]): IrPipeline[] => {
    const out: IrPipeline[] = [];
    const done = new Set<string>();
    const componentName = (mod: LoadedModule, name: string): string => {
      const original = mod.pipelines!.components.find((c) => c.name === name)!;
      let comp = byOriginal.get(original);
      if (!comp) {
        const lower = new Set(components.map((c) => c.name.toLowerCase()));
        let n = original.name;
        for (let k = 2; lower.has(n.toLowerCase()); k++) n = `${original.name}_${k}`;
        comp = n === original.name ? original : { ...original, name: n };
        components.push(comp);
        byOriginal.set(original, comp);
      }
      return comp.name;
    };
    const include = (programNameOf: string): void => {
      if (done.has(programNameOf)) return;
      const at = origin.get(programNameOf);
      if (!at) return; // a local pipeline
      done.add(programNameOf);
      const { mod, name } = at;
      // A module's pipeline, or a graph component one of them calls (named as the module names it).
      const ir = [...mod.pipelines!.irs, ...mod.pipelines!.graphs].find((p) => p.name === name)!;
      const file = mod.file.path;
      const span = (s: IrSpan): IrSpan => ({ ...s, file: s.file ?? file });
      const node = (n: IrNode): IrNode => {
        switch (n.kind) {
          case 'task':
            return { ...n, component: componentName(mod, n.component), origin: span(n.origin) };
          case 'call': {
            const callee = programName(mod, n.pipeline, undefined);
            include(callee);
            return { ...n, pipeline: callee, origin: span(n.origin) };
          }
          case 'volume':
          case 'resource':
            return { ...n, origin: span(n.origin) };
          case 'loop':
            return { ...n, body: n.body.map(node), origin: span(n.origin), ...(n.parallelismOrigin ? { parallelismOrigin: span(n.parallelismOrigin) } : {}) };
          case 'branch':
            return {
              ...n,
              arms: n.arms.map((a) => ({ ...a, body: a.body.map(node), origin: span(a.origin) })),
              ...(n.else ? { else: { body: n.else.body.map(node), origin: span(n.else.origin) } } : {}),
            };
        }
      };
      out.push({
        ...ir,
        name: programNameOf,
        body: ir.body.map(node),
        ...(ir.exit ? { exit: ir.exit.map(node) } : {}),
        nameOrigin: span(ir.nameOrigin),
        ...(ir.settingOrigins ? { settingOrigins: Object.fromEntries(Object.entries(ir.settingOrigins).map(([k, s]) => [k, span(s)])) } : {}),
        origin: span(ir.origin),
      });
    };
    const walk = (nodes: readonly IrNode[]): void => {
      for (const n of nodes) {
        if (n.kind === 'call') {
          const at = origin.get(n.pipeline);
          const callee = at && at.mod.pipelines!.irs.find((q) => q.name === at.name);
          if (callee?.exit) {
            ctx.report('InvalidPipelineCall', `pipeline \`${at!.name}\` of \`${at!.mod.file.path}\` has a \`finally\` block and cannot be called`, { start: n.origin.start, end: n.origin.end }, {
              hint: 'Argo runs one exit handler per workflow: move the `finally` block to the pipeline that calls it',
            });
          }
          include(n.pipeline);
        }
        else if (n.kind === 'loop') walk(n.body);
        else if (n.kind === 'branch') {
          for (const a of n.arms) walk(a.body);
          if (n.else) walk(n.else.body);
        }
      }
    };
    for (const p of pipelines) walk([...p.body, ...(p.exit ?? [])]);
    return out;
  };
  return { signatures, graphs };
}
