/**
 * The components a .kfp file can call, and where each came from: its own `component`s, the
 * component.yaml files it imports `as name`, and the components of the .kfp modules it
 * imports (unqualified, or as `alias.name`). Built the same way for the program's source and
 * for each module; name clashes are reported here, at the place that makes them.
 */
import type { IrComponent } from '../ir/ir.js';
import type { SourceFile, Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { walkNodes } from '../syntax/walk.js';
import { checkComponent } from './check-component.js';
import { checkImport } from './check-import.js';
import type { ModuleLoader } from './check-module.js';
import type { CheckContext } from './context.js';

export interface ScopeEntry {
  /** As checked in its own file: named as it is written there. */
  readonly comp: IrComponent;
  /** Where it is defined (a `component` name or an import path). */
  readonly file: SourceFile;
  readonly span: Span;
  /** For a component of a .kfp module: the import that brought it in, and its alias. */
  readonly via?: { readonly imp: ast.ImportDecl; readonly alias?: string };
}

export interface Scope {
  /** By the name it is called with: `train`, or `lib.train` for a module imported `as lib`. */
  readonly entries: Map<string, ScopeEntry>;
  /** The components defined in this file (what it exports as a module), in source order. */
  readonly own: ScopeEntry[];
  /** A .kfp import could not be loaded: calls would cascade into unknown-component errors. */
  readonly incomplete: boolean;
}

const isModulePath = (path: string): boolean => path.endsWith('.kfp');

export function declareScope(ctx: CheckContext, doc: ast.Document, loader: ModuleLoader): Scope {
  const entries = new Map<string, ScopeEntry>();
  const own: ScopeEntry[] = [];
  /** Where each simple name (a component or an alias) was first declared in this file. */
  const declared = new Map<string, { span: Span; file: SourceFile }>();
  /** By lower-case name, to find `Add` beside `add` in one look-up (a scan of `declared` made N components cost N²). */
  const byLowerCase = new Map<string, ast.Identifier>();
  let incomplete = false;

  for (const imp of doc.imports) {
    if (isModulePath(imp.path)) {
      const mod = loader.load(ctx, imp);
      if (!mod) {
        incomplete = true;
        continue;
      }
      if (mod.incomplete) incomplete = true;
      const alias = imp.name;
      if (alias) {
        const prev = declared.get(alias.name);
        if (prev) {
          ctx.report('DuplicateName', `\`${alias.name}\` is already defined`, alias.span, { related: [ctx.related(prev.span, 'first defined here', prev.file)] });
          continue;
        }
        declared.set(alias.name, { span: alias.span, file: ctx.file });
        for (const e of mod.own) entries.set(`${alias.name}.${e.comp.name}`, { ...e, via: { imp, alias: alias.name } });
        continue;
      }
      for (const e of mod.own) {
        const name = e.comp.name;
        const prev = entries.get(name);
        if (prev) {
          const where = prev.via ? `\`${prev.via.imp.path}\`` : 'this file';
          ctx.report('ImportClash', `\`${name}\` is imported from both ${where} and \`${imp.path}\``, imp.pathSpan, {
            label: `also exports \`${name}\``,
            hint: `import one of them with \`as NAME\` and call \`NAME.${name}(...)\``,
            related: [ctx.related(prev.span, 'one definition', prev.file), ctx.related(e.span, 'the other', e.file)],
          });
          continue;
        }
        entries.set(name, { ...e, via: { imp } });
        declared.set(name, { span: e.span, file: e.file });
      }
      continue;
    }
    const name = imp.name;
    if (!name) {
      ctx.report('ImportNeedsName', `a component.yaml import needs a name: \`import "${imp.path}" as NAME\``, imp.pathSpan, {
        hint: 'only a .kfp module can be imported without `as`; a component.yaml holds one component, called by the name given here',
      });
      continue;
    }
    const prev = declared.get(name.name);
    if (prev) {
      ctx.report('DuplicateName', `\`${name.name}\` is already defined`, name.span, { related: [ctx.related(prev.span, 'first defined here', prev.file)] });
      continue;
    }
    declared.set(name.name, { span: name.span, file: ctx.file });
    if (!byLowerCase.has(name.name.toLowerCase())) byLowerCase.set(name.name.toLowerCase(), name);
    const ir = checkImport(ctx, { ...imp, name }, loader.options);
    if (ir) entries.set(name.name, { comp: ir, file: ctx.file, span: name.span });
  }

  for (const c of doc.components) {
    const prev = declared.get(c.name.name);
    const ir = checkComponent(ctx, c);
    if (ir.origin.file === undefined) ir.origin.file = ctx.file.path;
    const imported = entries.get(c.name.name);
    if (imported?.via) {
      ctx.report('ImportClash', `component \`${c.name.name}\` is also imported from \`${imported.via.imp.path}\``, c.name.span, {
        label: 'defined here too',
        hint: `rename one of them, or import the module with \`as NAME\` and call \`NAME.${c.name.name}(...)\``,
        related: [ctx.related(imported.span, 'the imported one', imported.file), ctx.related(imported.via.imp.pathSpan, 'imported here')],
      });
      continue;
    }
    if (prev) {
      ctx.report('DuplicateName', `component \`${c.name.name}\` is defined twice`, c.name.span, { label: 'defined again here', related: [ctx.related(prev.span, 'first defined here', prev.file)] });
      continue;
    }
    const sameFile = byLowerCase.get(c.name.name.toLowerCase());
    if (sameFile) {
      // component.yaml files are named after components; on macOS and Windows `Add` and `add` would be one file.
      ctx.report('DuplicateName', `component \`${c.name.name}\` differs from \`${sameFile.name}\` only in case`, c.name.span, { related: [ctx.related(sameFile.span, 'the other one')] });
      continue;
    }
    const entry: ScopeEntry = { comp: ir, file: ctx.file, span: c.name.span };
    // The entry is where it was declared (its span and file): no second object per component.
    declared.set(c.name.name, entry);
    byLowerCase.set(c.name.name.toLowerCase(), c.name);
    entries.set(c.name.name, entry);
    own.push(entry);
  }
  return { entries, own, incomplete };
}

/**
 * The components a program compiles: every one defined or imported as a component.yaml in its
 * source (as before modules existed), and those of its modules that it calls. A module's
 * component keeps its name, so it compiles exactly as if written inline, unless that name is
 * taken in the program (`lib.train` beside a local `train`): then it is `lib_train`.
 */
export function programComponents(scope: Scope, called: ReadonlySet<string>): {
  list: IrComponent[];
  byCallee: Map<string, IrComponent>;
  /** A module's component as its module checked it → as this program compiles it (renamed or not). */
  byOriginal: Map<IrComponent, IrComponent>;
} {
  const list: IrComponent[] = [];
  const byCallee = new Map<string, IrComponent>();
  for (const [key, e] of scope.entries) {
    if (e.via) continue;
    list.push(e.comp);
    byCallee.set(key, e.comp);
  }
  // The names taken, made when a called module component needs one: a file of 100,000
  // components that calls none of a module's would pay for a set of 100,000 for nothing.
  let takenSet: Set<string> | undefined;
  /** A module imported twice (`import "m.kfp"` and `import "m.kfp" as m`) gives one component, not two. */
  const included = new Map<IrComponent, IrComponent>();
  for (const [key, e] of scope.entries) {
    if (!e.via) continue;
    if (!called.has(key)) {
      byCallee.set(key, e.comp);
      continue;
    }
    const already = included.get(e.comp);
    if (already) {
      byCallee.set(key, already);
      continue;
    }
    const taken = (takenSet ??= new Set(list.map((c) => c.name.toLowerCase())));
    const base = e.via.alias ? `${e.via.alias}_${e.comp.name}` : e.comp.name;
    let name = taken.has(e.comp.name.toLowerCase()) ? base : e.comp.name;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    taken.add(name.toLowerCase());
    const comp = name === e.comp.name ? e.comp : { ...e.comp, name };
    list.push(comp);
    included.set(e.comp, comp);
    byCallee.set(key, comp);
  }
  for (const c of list) if (!included.has(c)) included.set(c, c);
  return { list, byCallee, byOriginal: included };
}

/** The names a document's pipelines call (tasks and component calls inside arguments). */
export function calledNames(doc: ast.Document): Set<string> {
  const out = new Set<string>();
  walkNodes(doc.pipelines.map((p) => p.body), (node) => {
    const n = node as { kind?: string; callee?: ast.Identifier };
    if ((n.kind === 'TaskStmt' || n.kind === 'CallExpr') && n.callee) out.add(n.callee.name);
    // Names and literals hold no calls: not walking them halves the walk of a large pipeline.
    return n.kind !== 'Identifier' && n.kind !== 'Literal';
  });
  return out;
}
