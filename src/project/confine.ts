/**
 * Where an import may lead: inside the project root, with every symbolic link resolved and the
 * root checked again, and, for a .kfp module, to a file named *.kfp (a module's syntax errors
 * quote its lines, so `lib.kfp -> .env` would print the .env file). One function, used by the
 * checker (check-import.ts) and by the language server's go-to-definition, hover and completion
 * (src/lsp/resolve.ts), so that an editor never reads what a build would refuse.
 */
import { isInside, type FileHost } from './file-host.js';

export type ImportTarget =
  /** The path as the import names it (links kept), and with every link resolved. */
  | { readonly kind: 'inside'; readonly requested: string; readonly real: string }
  | { readonly kind: 'outside'; readonly requested: string }
  | { readonly kind: 'link-outside'; readonly requested: string }
  | { readonly kind: 'not-kfp'; readonly requested: string }
  /** realPath failed: an errno name such as ENOENT. */
  | { readonly kind: 'error'; readonly requested: string; readonly code: string };

/** Nothing outside `root` is touched, not even by a stat: the lexical check comes first. */
export function importTarget(host: FileHost, root: string, from: string, spec: string, module: boolean): ImportTarget {
  const requested = host.resolveImport(from, spec);
  if (!isInside(root, requested)) return { kind: 'outside', requested };
  let real: string;
  try {
    real = host.realPath(requested);
  } catch (e) {
    return { kind: 'error', requested, code: (e as NodeJS.ErrnoException).code ?? 'error' };
  }
  let realRoot = root;
  try {
    realRoot = host.realPath(root);
  } catch {
    // the root as given
  }
  if (!isInside(realRoot, real)) return { kind: 'link-outside', requested };
  if (module && !real.endsWith('.kfp')) return { kind: 'not-kfp', requested };
  return { kind: 'inside', requested, real };
}
