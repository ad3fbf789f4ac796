/** Shared state of one check run: the file, the diagnostics so far, and constant evaluation. */
import { diag, type CodeName, type DiagnosticInit } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { SuggestionBudget } from '../diagnostics/suggest.js';
import { keyedObject } from '../ir/ir.js';
import type { IrConst, Json } from '../ir/ir.js';
import type { SourceFile, Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import type { ValueType } from './types.js';

export class CheckContext {
  /**
   * @param file the file being checked (the program's source or one of its modules)
   * @param diagnostics where to report: one list for every file of a program, so a module's
   *   errors are reported once, at the module's own lines
   * @param suggestions what "did you mean" may still cost: one budget for the program and its
   *   modules, so that a file of thousands of unknown names stays linear (src/diagnostics/suggest.ts)
   */
  constructor(
    readonly file: SourceFile,
    readonly diagnostics: Diagnostic[] = [],
    readonly suggestions: SuggestionBudget = new SuggestionBudget(),
  ) {}

  report(name: CodeName, message: string, sp: Span, init: Omit<DiagnosticInit, 'file' | 'span'> = {}): void {
    this.diagnostics.push(diag(name, message, init, this.file, sp));
  }

  /** A related location, in this file or (given `file`) in another file of the program. */
  related(sp: Span, message: string, file: SourceFile = this.file): { file: SourceFile; span: Span; message: string } {
    return { file, span: sp, message };
  }

  /** Records a setting in `seen`; reports it and returns false when the block already had one of that name. */
  firstSetting(seen: Map<string, ast.Setting>, s: ast.Setting): boolean {
    const prev = seen.get(s.name.name);
    if (prev) {
      this.report('DuplicateSetting', `setting \`${s.name.name}\` is given twice`, s.name.span, { related: [this.related(prev.name.span, 'first given here')] });
      return false;
    }
    seen.set(s.name.name, s);
    return true;
  }
}

/** Evaluates a literal expression (scalars, lists and dicts of literals); undefined when it is not constant. */
export function constValue(e: ast.Expr): IrConst | undefined {
  switch (e.kind) {
    case 'Literal':
      return e.isFloat ? { const: e.value, isFloat: true } : { const: e.value };
    case 'ListExpr': {
      const items: Json[] = [];
      for (const i of e.items) {
        const v = constValue(i);
        if (!v) return undefined;
        items.push(v.const);
      }
      return { const: items };
    }
    case 'DictExpr': {
      const out = keyedObject<Json>();
      for (const en of e.entries) {
        const v = constValue(en.value);
        if (!v) return undefined;
        out[en.key] = v.const;
      }
      return { const: out };
    }
    default:
      return undefined;
  }
}

export function constType(c: IrConst): ValueType {
  const v = c.const;
  if (v === null) return 'null';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return c.isFloat || !Number.isInteger(v) ? 'float' : 'int';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}
