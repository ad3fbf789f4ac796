/**
 * `.kfp` modules: `import "lib/common.kfp"` reads, parses and checks that file once per
 * program, and gives the importer the components the module defines. A module is checked as
 * its own file (its imports and components; its pipelines are not compiled by an importer,
 * so a file can be both a library and a runnable pipeline), and its errors are reported at its
 * own lines, once, however many files import it. A module that imports itself, directly or
 * through others, is an import cycle, reported at the import that closes it.
 */
import { LISTED_NAMES, listPath } from '../diagnostics/name-list.js';
import type { Span } from '../source.js';
import { SourceFile } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { parseSource } from '../syntax/parse.js';
import { checkArgoPlaceholders } from './argo-placeholders.js';
import { readImport, type ImportOptions } from './check-import.js';
import { CheckContext } from './context.js';
import { calledNames, declareScope, programComponents, type Scope } from './scope.js';
import { checkPipeline } from './check-pipeline.js';
import { graphComponents } from './graph-components.js';
import { calledPipeline, checkPipelineCalls, withPipelines } from './pipeline-calls.js';
import type { IrComponent, IrPipeline } from '../ir/ir.js';

export interface LoadedModule extends Scope {
  readonly file: SourceFile;
  /**
   * Its pipelines that have a call name, checked as the module's own (with its components,
   * named as the module names them in `components`), for importers that call them.
   */
  readonly pipelines?: {
    readonly irs: readonly IrPipeline[];
    readonly signatures: ReadonlyMap<string, IrComponent>;
    readonly components: readonly IrComponent[];
    /** The graph components (component.yaml) its pipelines call, as pipelines (graph-components.ts): not callable from importers themselves. */
    readonly graphs: readonly IrPipeline[];
  };
}

/** One link of the chain of imports being loaded: the file, and the import in it being followed. */
interface Step {
  readonly real: string;
  readonly file: SourceFile;
  imp?: { readonly path: string; readonly span: Span };
}

/** Modules importing modules deeper than this are refused (KFP1102): loading recurses once per level. */
export const MAX_IMPORT_DEPTH = 64;

export class ModuleLoader {
  private readonly done = new Map<string, LoadedModule | undefined>();
  /** Every module file read, by the path diagnostics and IR spans name it with. */
  readonly files = new Map<string, SourceFile>();
  /** The files being loaded, outermost first (the program's source at the bottom). */
  private readonly chain: Step[] = [];
  /** Where each file of the chain is in it, by real path: a cycle is found without a search of the chain. */
  private readonly onChain = new Map<string, number>();

  /**
   * @param rootReal the program source's own path, links resolved (a module importing it is a
   *   cycle); asked for only when a module is imported, so a file without modules touches nothing
   */
  constructor(
    readonly options: ImportOptions,
    private readonly rootFile: SourceFile,
    private readonly rootReal: () => string,
  ) {}

  /** The module `imp` names, checked; undefined (after reporting why) when it cannot be used. */
  load(ctx: CheckContext, imp: ast.ImportDecl): LoadedModule | undefined {
    const read = readImport(ctx, imp, this.options, 'module');
    if (!read) return undefined;
    if (this.chain.length === 0) this.push({ real: this.rootReal(), file: this.rootFile });
    const cycleAt = this.onChain.get(read.real);
    if (cycleAt !== undefined) {
      this.reportCycle(ctx, imp, cycleAt);
      return undefined;
    }
    if (this.done.has(read.real)) return this.done.get(read.real);
    if (this.chain.length > MAX_IMPORT_DEPTH) {
      // Each module is loaded inside its importer's load: the depth is the stack's.
      ctx.report('TooDeep', `modules import each other more than ${MAX_IMPORT_DEPTH} levels deep`, imp.pathSpan, {
        label: `level ${this.chain.length}`,
        hint: 'import the modules a file uses from that file, rather than through a long chain of modules',
        related: [ctx.related(this.chain[0]!.imp?.span ?? imp.pathSpan, 'the outermost import of the chain', this.chain[0]!.file)],
      });
      this.done.set(read.real, undefined);
      return undefined;
    }
    const file = new SourceFile(imp.path.startsWith('/') ? imp.path : this.options.host.displayPath(read.requested), read.text);
    this.files.set(file.path, file);
    const parsed = parseSource(file);
    for (const d of parsed.diagnostics) ctx.diagnostics.push(d);
    if (!parsed.document) {
      this.done.set(read.real, undefined);
      return undefined;
    }
    this.chain[this.chain.length - 1]!.imp = { path: imp.path, span: imp.pathSpan };
    this.push({ real: read.real, file });
    const mctx = new CheckContext(file, ctx.diagnostics, ctx.suggestions);
    const before = ctx.diagnostics.length;
    const scope = declareScope(mctx, parsed.document, this);
    // Its callable pipelines are compiled into the importer's output: their text is warned about too.
    checkArgoPlaceholders(mctx, { ...parsed.document, pipelines: parsed.document.pipelines.filter((p) => p.callName) });
    const pipelines = scope.incomplete ? undefined : this.callablePipelines(mctx, parsed.document, scope);
    this.onChain.delete(this.chain.pop()!.real);
    // A module with errors is reported in the module; its importers' calls to it are not checked (they would only cascade).
    const failed = ctx.diagnostics.slice(before).some((d) => d.severity === 'error');
    const mod: LoadedModule = { ...scope, incomplete: scope.incomplete || failed, file, ...(pipelines ? { pipelines } : {}) };
    this.done.set(read.real, mod);
    return mod;
  }

  /** The module's callable pipelines, checked in the module (its errors at its own lines). */
  private callablePipelines(mctx: CheckContext, doc: ast.Document, scope: Scope): LoadedModule['pipelines'] {
    const named = doc.pipelines.filter((p) => p.callName);
    if (named.length === 0) return undefined;
    const only = { ...doc, pipelines: named };
    const called = calledNames(only);
    const { list, byCallee } = programComponents(scope, called);
    const graphs = graphComponents(mctx, scope, list, byCallee, called, this.options);
    const callable = withPipelines(mctx, only, byCallee);
    const irs = named.map((p) => checkPipeline(mctx, p, callable));
    checkPipelineCalls(mctx, named, irs);
    const signatures = new Map(named.flatMap((p) => {
      const sig = callable.get(p.callName!.name);
      return sig && calledPipeline(sig) ? [[p.callName!.name, sig] as const] : [];
    }));
    return { irs, signatures, components: list, graphs };
  }

  private push(step: Step): void {
    this.onChain.set(step.real, this.chain.length);
    this.chain.push(step);
  }

  private reportCycle(ctx: CheckContext, imp: ast.ImportDecl, from: number): void {
    const steps = this.chain.slice(from);
    ctx.report('ImportCycle', `import cycle: ${listPath([...steps.map((s) => s.file.path), steps[0]!.file.path])}`, imp.pathSpan, {
      label: 'closes the cycle',
      hint: 'move what both files need into a third module that imports neither',
      related: steps.filter((s) => s.imp && s.file !== ctx.file).slice(0, LISTED_NAMES).map((s) => ctx.related(s.imp!.span, `imports \`${s.imp!.path}\``, s.file)),
    });
  }
}
