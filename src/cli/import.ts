/** `kfpdsl import FILE.yaml [-o DIR]`: a kfp v1 pipeline or component.yaml → a `.kfp` file. */
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { diag } from '../diagnostics/catalog.js';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { importYaml } from '../import/index.js';
import { writeWhole } from './files.js';

/** Larger than any compiled pipeline; a bigger file is refused before it is parsed. */
const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

export interface ImportOptions {
  out?: string;
  strict?: boolean;
}

export function runImport(path: string, opts: ImportOptions, report: (d: readonly Diagnostic[]) => void): number {
  let text: string;
  try {
    const st = lstatSync(path);
    if (!st.isFile()) {
      report([diag('UnreadableSource', `\`${path}\` is not a regular file`, { hint: 'give the path of a .yaml file' })]);
      return 1;
    }
    if (st.size > MAX_IMPORT_BYTES) {
      report([diag('ImportNotKfp', `\`${path}\` is ${st.size} bytes, more than the ${MAX_IMPORT_BYTES} a kfp pipeline could be`, { hint: 'give the YAML that `dsl-compile` wrote' })]);
      return 1;
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : undefined;
    report([diag(code === 'ENOENT' ? 'NoSuchPath' : 'UnreadableSource', `cannot read \`${path}\`: ${e instanceof Error ? e.message : String(e)}`)]);
    return 1;
  }
  const result = importYaml(path, text);
  report(result.diagnostics);
  if (hasErrors(result.diagnostics) || result.text === undefined) return 1;
  // A plain name, short enough for any file system (a name holds 255 bytes).
  const name = `${basename(path).replace(/\.ya?ml$/i, '').replace(/\.component$/, '').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 200) || 'imported'}.kfp`;
  if (opts.out === undefined) process.stdout.write(result.text);
  else {
    try {
      mkdirSync(opts.out, { recursive: true });
      writeWhole(opts.out, name, result.text);
    } catch (e) {
      report([diag('OutputNotWritable', `cannot write \`${join(opts.out, name)}\`: ${e instanceof Error ? e.message : String(e)}`)]);
      return 1;
    }
    process.stderr.write(`wrote ${join(opts.out, name)}\n`);
  }
  return opts.strict && result.diagnostics.length > 0 ? 1 : 0;
}
