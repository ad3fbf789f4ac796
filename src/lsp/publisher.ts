/**
 * When buffers are checked and what is published. Incremental, so that a keystroke in a large
 * file costs little:
 * - only the changed buffers and the open buffers that import them (at any depth) are checked
 *   again; the others keep their last diagnostics;
 * - a buffer's parse is reused (the workspace caches it by text), and the first pass stops
 *   after the checks: on a 1,000-task file the lowering, which only adds the target's size
 *   limits, costs several times the rest;
 * - the full compile (`kfpdsl check`'s last word, size limits included) follows once typing
 *   has paused a little longer, and is published again (mostly the same list: a client then
 *   knows the final word is in).
 * The diagnostics a buffer ends with are those `kfpdsl check` prints for it.
 */
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { checkBuffer, type BufferCheck } from './diagnostics.js';
import { pathToUri } from './uri.js';
import type { Workspace } from './workspace.js';

/** How long typing must pause before the changed buffers are checked again. */
export const DEBOUNCE_MS = 150;
/** How much longer before the full compile (with the lowering's size limits) runs. */
export const FULL_CHECK_DELAY_MS = 400;

export interface OpenDocument {
  readonly path: string;
  readonly uri: string;
  readonly version: number;
}

export interface PublisherIo {
  /** The open documents, in the client's order. */
  documents(): readonly OpenDocument[];
  publish(uri: string, diagnostics: LspDiagnostic[], version?: number): void;
  /** Runs a check; a bug in it is logged and answered with `fallback`. */
  guard<T>(fallback: T, f: () => T): T;
}

export class DiagnosticsPublisher {
  private timer: NodeJS.Timeout | undefined;
  private fullTimer: NodeJS.Timeout | undefined;
  /** Paths changed (or opened) since the last check. */
  private readonly dirty = new Set<string>();
  /** The last check of each open buffer. */
  private readonly last = new Map<string, BufferCheck>();
  /** Buffers whose last check skipped the lowering. */
  private readonly partial = new Set<string>();
  /** Files not open that were given diagnostics (modules of open buffers): cleared when they have none. */
  private shownClosed = new Map<string, string>();
  /** How many buffer checks ran (fast and full): the tests count work, not time. */
  checks = 0;

  constructor(
    private readonly ws: Workspace,
    private readonly io: PublisherIo,
  ) {}

  changed(path: string): void {
    this.dirty.add(path);
    if (this.fullTimer) clearTimeout(this.fullTimer);
    this.fullTimer = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.checkChanged(), DEBOUNCE_MS);
  }

  closed(path: string, uri: string): void {
    this.last.delete(path);
    this.partial.delete(path);
    this.io.publish(uri, []);
    this.changed(path);
  }

  /** The first pass: the buffers a change can affect, checked without lowering. */
  private checkChanged(): void {
    this.timer = undefined;
    const docs = this.io.documents();
    const affected = docs.filter((d) => this.dependsOnDirty(d.path));
    this.dirty.clear();
    for (const d of affected) {
      const result = this.io.guard<BufferCheck>({ byFile: new Map(), partial: false }, () => checkBuffer(this.ws, d.path, true));
      this.checks++;
      this.last.set(d.path, result);
      if (result.partial) this.partial.add(d.path);
      else this.partial.delete(d.path);
      this.io.publish(d.uri, result.byFile.get(d.path) ?? [], d.version);
    }
    this.publishClosed();
    if (this.partial.size > 0) this.fullTimer = setTimeout(() => this.checkFully(), FULL_CHECK_DELAY_MS);
  }

  /** The second pass: the full compile of the buffers the first pass left partial. */
  private checkFully(): void {
    this.fullTimer = undefined;
    for (const d of this.io.documents()) {
      if (!this.partial.has(d.path)) continue;
      this.partial.delete(d.path);
      const result = this.io.guard<BufferCheck>({ byFile: new Map(), partial: false }, () => checkBuffer(this.ws, d.path, false));
      this.checks++;
      this.last.set(d.path, result);
      this.io.publish(d.uri, result.byFile.get(d.path) ?? [], d.version);
    }
    this.publishClosed();
  }

  /** Whether the buffer at `path`, or a module it imports at any depth, changed since the last check. */
  private dependsOnDirty(path: string): boolean {
    if (this.dirty.has(path) || !this.last.has(path)) return true;
    const seen = new Set<string>([path]);
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      for (const dep of this.ws.imports(p)) {
        if (this.dirty.has(dep)) return true;
        if (!seen.has(dep)) {
          seen.add(dep);
          stack.push(dep);
        }
      }
    }
    return false;
  }

  /** A module's problems, when the module is not open itself (then its own check shows them). */
  private publishClosed(): void {
    const closed = new Map<string, Map<string, LspDiagnostic>>();
    for (const d of this.io.documents()) {
      for (const [file, list] of this.last.get(d.path)?.byFile ?? []) {
        if (file === d.path || this.ws.isOpen(file)) continue;
        if (!closed.has(file)) closed.set(file, new Map());
        for (const x of list) closed.get(file)!.set(`${x.code}\0${JSON.stringify(x.range)}\0${x.message}`, x);
      }
    }
    const shown = new Map<string, string>();
    for (const [file, list] of closed) {
      const diagnostics = [...list.values()];
      shown.set(file, JSON.stringify(diagnostics));
      // Published again only when they changed: an edit elsewhere leaves them alone.
      if (this.shownClosed.get(file) !== shown.get(file)) this.io.publish(pathToUri(file), diagnostics);
    }
    for (const file of this.shownClosed.keys()) if (!closed.has(file)) this.io.publish(pathToUri(file), []);
    this.shownClosed = shown;
  }
}
