/**
 * What `upload` and `submit` share as commands: starting one (exit status, usage errors,
 * internal errors without a stack trace), the --host URL, and stopping a --wait cleanly.
 */
import { UsageError } from '../cli/files.js';
import { parseBaseUrl } from './connect.js';
import type { ClusterCliOptions } from './options.js';

export function startCluster(command: (file: string, opts: never) => Promise<number>, file: string, opts: unknown): void {
  command(file, opts as never).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof UsageError) process.stderr.write(`error: ${e.message}\n`);
      else process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\nthis is a bug in kfpdsl; please report it with the command line (without tokens)\n`);
      process.exitCode = e instanceof UsageError ? 2 : 3;
    },
  );
}

export function hostOf(opts: ClusterCliOptions): URL {
  const host = opts.host ?? process.env['KFPDSL_HOST'];
  if (host === undefined || host === '') throw new UsageError('say where the KFP API is: --host URL (e.g. http://localhost:8888 after `kubectl port-forward -n kubeflow svc/ml-pipeline-ui 8888:80`), or set KFPDSL_HOST');
  return parseBaseUrl(host, '--host');
}

/**
 * While --wait follows a run, Ctrl-C (or SIGTERM, SIGHUP) stops following, not the run: say so,
 * with where to find it, and exit as a signal would (130 for SIGINT).
 */
export function onStopFollowing(say: () => void): () => void {
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  const handlers = Object.entries(codes).map(([signal, code]) => {
    const h = (): void => {
      say();
      process.exit(code);
    };
    process.once(signal as NodeJS.Signals, h);
    return [signal, h] as const;
  });
  return () => {
    for (const [signal, h] of handlers) process.removeListener(signal as NodeJS.Signals, h);
  };
}
