/**
 * Rename of components, bindings (tasks), parameters and loop variables, across the files of
 * the project: every reference (find references' list, Python fence uses of a parameter
 * included) gets the new name. A rename that would change what the program means is refused
 * with the reason, and nothing is edited:
 * - the new name is not an identifier;
 * - after it, a renamed name would mean something else, or another name would now mean the
 *   renamed thing (shadowing, capture);
 * - after it, a file checks with an error it did not have (a duplicate component, task or
 *   parameter, an ambiguous import): the edits are checked in memory first.
 */
import { compileSource } from '../compile.js';
import { MemoryHost } from '../project/memory-host.js';
import { SourceFile, type Span } from '../source.js';
import type * as ast from '../syntax/ast.js';
import { definitionAt, type Place } from './definition.js';
import { fenceParamAt } from './fence-names.js';
import { targetAt } from './locate.js';
import { definedName, identifiers, referencesTo, samePlace, type Reference } from './references.js';
import { Workspace } from './workspace.js';

export class RenameRefused extends Error {}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Renameable {
  readonly def: Place;
  readonly name: string;
  /** The name under the cursor (the last segment of `lib.train`). */
  readonly span: Span;
}

/** What the name at `offset` is, when it can be renamed; else why not (a RenameRefused). */
export function prepareRename(ws: Workspace, doc: ast.Document, offset: number): Renameable {
  const inFence = fenceParamAt(doc.file, doc, offset);
  if (inFence) return { def: { path: doc.file.path, span: inFence.param.name.span }, name: inFence.param.name.name, span: inFence.span };
  const { target } = targetAt(doc, offset);
  if (!target) throw new RenameRefused('only a component, task, parameter or loop variable can be renamed');
  if (target.kind === 'output') throw new RenameRefused('an output is renamed at its component, where it is declared');
  if (target.kind === 'setting' || target.kind === 'import') throw new RenameRefused(`a ${target.kind} cannot be renamed`);
  const def = definitionAt(ws, doc, offset);
  if (!def || !def.path.endsWith('.kfp')) throw new RenameRefused('this name is not defined in a .kfp file (a component.yaml import is renamed at its `as`)');
  const name = definedName(ws, def);
  if (name === undefined || !IDENTIFIER.test(name)) throw new RenameRefused('this name cannot be renamed');
  // A declared output (`-> (model: str)`) is an output too: renaming it would rename `t.model` uses everywhere.
  const declared = ws.parse(def.path)?.doc.components.some((c) => c.returns?.outputs.some((o) => o.name.span.start === def.span.start));
  if (declared) throw new RenameRefused('renaming an output is not supported: its uses (`task.output`) and the code that writes it would all change');
  const ident = identifiers(doc).find((i) => i.span.start <= offset && offset <= i.span.end && (i.name === name || i.name.endsWith(`.${name}`)));
  const span = ident ? { start: ident.span.end - name.length, end: ident.span.end } : def.span;
  return { def, name, span };
}

/** The edits of a rename, by file, checked to change nothing but the name. */
export function renameEdits(ws: Workspace, doc: ast.Document, offset: number, newName: string): Map<string, { span: Span; text: string }[]> {
  const r = prepareRename(ws, doc, offset);
  if (!IDENTIFIER.test(newName)) throw new RenameRefused(`\`${newName}\` is not a name: a name is letters, digits and \`_\`, not starting with a digit`);
  const edits = new Map<string, { span: Span; text: string }[]>();
  if (newName === r.name) return edits;
  const paths = ws.projectFiles(doc.file.path);
  const refs = referencesTo(ws, r.def, r.name, paths);
  for (const ref of refs) {
    if (!edits.has(ref.path)) edits.set(ref.path, []);
    edits.get(ref.path)!.push({ span: ref.name, text: newName });
  }
  refuseClashes(ws, r, refs, newName, edits, paths);
  return edits;
}

/** Applies edits (sorted, not overlapping) to a text. */
function apply(text: string, edits: readonly { span: Span; text: string }[]): string {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.span.start - b.span.start)) {
    out += text.slice(at, e.span.start) + e.text;
    at = e.span.end;
  }
  return out + text.slice(at);
}

/** Where an offset of the old text is in the edited one. */
function shifted(offset: number, edits: readonly { span: Span; text: string }[]): number {
  let delta = 0;
  for (const e of edits) if (e.span.end <= offset) delta += e.text.length - (e.span.end - e.span.start);
  return offset + delta;
}

function refuseClashes(ws: Workspace, r: Renameable, refs: readonly Reference[], newName: string, edits: Map<string, { span: Span; text: string }[]>, paths: readonly string[]): void {
  // The project as it would be: the edited files over what the server sees now.
  const after = new Workspace(new MemoryHost({}, { base: ws.host }));
  for (const [path, list] of edits) after.setBuffer(path, apply(ws.text(path) ?? '', list));
  const newDef: Place = { path: r.def.path, span: { start: shifted(r.def.span.start, edits.get(r.def.path) ?? []), end: 0 } };
  // 1. Every renamed name still means the renamed thing, and nothing else means it.
  const moved = referencesTo(after, newDef, newName, paths);
  const expected = refs.map((x) => `${x.path}:${shifted(x.name.start, edits.get(x.path) ?? [])}`).sort();
  const found = moved.map((x) => `${x.path}:${x.name.start}`).sort();
  if (expected.join('\n') !== found.join('\n')) {
    const extra = moved.find((x) => !expected.includes(`${x.path}:${x.name.start}`));
    const where = extra ? ` (\`${newName}\` at ${ws.host.displayPath(extra.path)}:${after.lines(extra.path)!.position(extra.span.start).line + 1} would mean it)` : '';
    throw new RenameRefused(`renaming \`${r.name}\` to \`${newName}\` would clash with another \`${newName}\`${where}`);
  }
  for (const x of refs) {
    const parsed = after.parse(x.path);
    const d = parsed && definitionAt(after, parsed.doc, shifted(x.name.start, edits.get(x.path) ?? []));
    if (!d || !samePlace(d, newDef)) throw new RenameRefused(`renaming \`${r.name}\` to \`${newName}\` would clash: \`${newName}\` already means something else in ${ws.host.displayPath(x.path)}`);
  }
  // 2. No file checks with an error it did not have: the edited files and the files that import them.
  const touched = new Set(edits.keys());
  const checked = paths.filter((p) => touched.has(p) || ws.imports(p).some((i) => touched.has(i)));
  for (const path of checked) {
    const before = errorsOf(ws, path).map((m) => m.split(`\`${r.name}\``).join(`\`${newName}\``));
    const now = errorsOf(after, path);
    for (const m of now) {
      const i = before.indexOf(m);
      if (i >= 0) before.splice(i, 1);
      else throw new RenameRefused(`renaming \`${r.name}\` to \`${newName}\` would clash: ${m}`);
    }
  }
}

/** The error messages of checking a file (no lowering: a name cannot change a size). */
function errorsOf(ws: Workspace, path: string): string[] {
  const text = ws.text(path);
  if (text === undefined) return [];
  const result = compileSource(new SourceFile(path, text), { checkOnly: true, host: ws.host, skipLowering: true });
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.message} (${ws.host.displayPath(d.file?.path ?? path)})`);
}
