/**
 * What can go wrong between kfpdsl and a cluster, each kind with its own diagnostic code and
 * a hint saying what to do. The HTTP layer throws `ClusterError`; the commands turn it into a
 * diagnostic located at the pipeline being uploaded or submitted.
 */
import { diag, type CodeName } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile, Span } from '../source.js';

export type FailureKind =
  | 'unreachable'
  | 'dropped'
  | 'timeout'
  | 'tls'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'rejected'
  | 'server'
  | 'bad-response';

const CODE: Record<FailureKind, CodeName> = {
  unreachable: 'ClusterUnreachable',
  dropped: 'ClusterDropped',
  timeout: 'ClusterTimeout',
  tls: 'ClusterTls',
  unauthorized: 'ClusterUnauthorized',
  forbidden: 'ClusterForbidden',
  'not-found': 'ClusterNotFound',
  conflict: 'ClusterConflict',
  'too-large': 'ClusterTooLarge',
  rejected: 'ClusterRejected',
  server: 'ClusterServerError',
  'bad-response': 'ClusterBadResponse',
};

export class ClusterError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly hint?: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The diagnostic for a failure, at `span` of `file` (the pipeline's name), secrets redacted. */
export function clusterDiagnostic(e: ClusterError, at: { file: SourceFile; span?: Span | undefined }, redact: (s: string) => string): Diagnostic {
  return diag(CODE[e.kind], redact(e.message), { file: at.file, span: at.span, label: at.span ? 'this pipeline' : undefined, hint: e.hint ? redact(e.hint) : undefined });
}
