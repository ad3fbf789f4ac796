/**
 * Document URIs and the paths the compiler works with. A `file:` URI is its path; any other
 * scheme (an editor's `untitled:` buffer) gets a stable made-up absolute path under
 * /__kfpdsl__/, so that the host and the checker, which speak paths, can serve it too.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

const VIRTUAL = '/__kfpdsl__/';

export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // A malformed file URI is still a name: fall through to a virtual path.
    }
  }
  return `${VIRTUAL}${encodeURIComponent(uri)}`;
}

export function pathToUri(path: string): string {
  if (path.startsWith(VIRTUAL)) return decodeURIComponent(path.slice(VIRTUAL.length));
  return pathToFileURL(path).href;
}
