/**
 * `kfpdsl upload FILE.kfp --host URL`: compiles the file as build does and uploads each
 * pipeline to the KFP API (v1beta1; v2beta1 for `--target kfp-v2`): a new pipeline, or a new version of the pipeline of that
 * name when one exists. Exit codes: 0 uploaded, 1 diagnostics (in the source or from the
 * server), 2 usage errors.
 */
import { ClusterError, clusterDiagnostic } from '../cluster/errors.js';
import { compileFile } from '../cluster/compiled.js';
import { hostOf } from '../cluster/command.js';
import { connect } from '../cluster/connect.js';
import { findPipeline, uploadPipeline, uploadVersion } from '../cluster/kfp-v1.js';
import { findPipelineV2, uploadPipelineV2, uploadVersionV2 } from '../cluster/kfp-v2.js';
import type { ClusterCliOptions } from '../cluster/options.js';
import { Output } from '../cluster/output.js';
import { Secrets } from '../cluster/secrets.js';
import { clusterBackend } from '../cluster/target.js';
import { UsageError } from './files.js';

export interface UploadCliOptions extends ClusterCliOptions {
  name?: string;
  description?: string;
  version?: string;
}

/** KFP's upload limit (the API server's `MaxUploadSize`). */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;

/** A version name when --version is not given: the UTC time, `v20260131-235959`. */
function defaultVersion(now: Date): string {
  return `v${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
}

export async function uploadCommand(file: string, opts: UploadCliOptions): Promise<number> {
  const backend = clusterBackend('upload', 'kfp', opts.target);
  const base = hostOf(opts);
  const compiled = compileFile(file, opts.root, opts.pipeline, backend);
  if (!compiled.ok) {
    new Output(new Secrets(), false).diagnostics(compiled.diagnostics);
    process.stderr.write(`\nnothing was uploaded\n`);
    return 1;
  }
  if (compiled.pipelines.length > 1 && (opts.name !== undefined || opts.version !== undefined)) {
    throw new UsageError(`${file} defines ${compiled.pipelines.length} pipelines; --name and --version name one: choose it with --pipeline NAME`);
  }
  // A kfp-v2 pipeline spec goes through v2beta1, a kfp-v1 workflow through v1beta1.
  const v2 = backend.name === 'kfp-v2';
  const api = v2 ? { find: findPipelineV2, upload: uploadPipelineV2, version: uploadVersionV2 } : { find: findPipeline, upload: uploadPipeline, version: uploadVersion };
  const { conn, secrets } = connect(base, 'KFP API', opts);
  const out = new Output(secrets, opts.json ?? false);
  out.diagnostics(compiled.warnings);
  const results: Record<string, unknown>[] = [];
  const ui = base.href.replace(/\/+$/, '');
  for (const p of compiled.pipelines) {
    const name = opts.name ?? p.ir.displayName;
    const upload = { fileName: p.fileName, text: p.text, name, description: opts.description ?? p.ir.description, namespace: opts.namespace };
    try {
      const bytes = Buffer.byteLength(p.text);
      if (bytes > MAX_UPLOAD_BYTES) {
        throw new ClusterError('too-large', `pipeline "${name}" compiles to ${(bytes / 2 ** 20).toFixed(1)} MiB, over KFP's 32 MiB upload limit`, 'move large literals (code, data) out of the pipeline, or split it');
      }
      const existing = await api.find(conn, name, opts.namespace);
      if (existing) {
        const version = opts.version ?? defaultVersion(new Date());
        const r = await api.version(conn, existing.id, version, upload);
        out.result(`uploaded "${name}" as version "${version}" of pipeline ${existing.id}: ${ui}/#/pipelines/details/${existing.id}/version/${r.versionId}\n`);
        results.push({ pipeline: name, pipelineId: existing.id, version, versionId: r.versionId, created: false });
      } else {
        const r = await api.upload(conn, upload);
        out.result(`uploaded "${name}" as a new pipeline ${r.pipelineId}: ${ui}/#/pipelines/details/${r.pipelineId}\n`);
        if (opts.version !== undefined) out.note(`note: --version ${opts.version} is not used: the first version of a new pipeline is named after it ("${name}")\n`);
        results.push({ pipeline: name, pipelineId: r.pipelineId, ...(r.versionId ? { versionId: r.versionId } : {}), created: true });
      }
    } catch (e) {
      if (!(e instanceof ClusterError)) throw e;
      out.diagnostics([clusterDiagnostic(e, { file: compiled.source, span: p.span }, (s) => secrets.redact(s))]);
      out.object({ uploaded: results, failed: name });
      if (results.length > 0) out.note(`\n${results.length} of ${compiled.pipelines.length} pipelines were uploaded before this failure\n`);
      return 1;
    }
  }
  out.object({ uploaded: results });
  return 0;
}

