#!/usr/bin/env node
// Peak resident memory of `kfpdsl run` while a task prints a lot: task logs keep the first and
// last MiB (src/run/capped-log.ts) and output is streamed, so kfpdsl's peak RSS should not grow
// with what the task prints.
//
//   node bench/run-memory.mjs            (needs dist/: `node scripts/bundle.mjs`; and /usr/bin/time)
//
// Prints, for tasks printing 1, 50 and 200 MB: kfpdsl's peak RSS (MiB), the log size on disk,
// and the ratio of each peak to the 1 MB one.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const scratch = mkdtempSync(join(tmpdir(), 'kfpdsl-bench-run-memory-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

const kfp = (mb) => `component loud() {
  \`\`\`python
  import sys
  block = "x" * 1023 + "\\n"
  for _ in range(${mb} * 1024):
      sys.stdout.write(block)
  \`\`\`
}
pipeline "loud" () {
  loud()
}
`;

const rows = [];
for (const mb of [1, 50, 200]) {
  const path = join(scratch, `loud-${mb}.kfp`);
  writeFileSync(path, kfp(mb));
  const runs = join(scratch, `runs-${mb}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'bin', 'kfpdsl.mjs'), 'run', path, '--run-dir', runs, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const peakKiB = Number(r.stderr.trim().split('\n').pop());
  const run = join(runs, readdirSync(runs).find((d) => !d.startsWith('.')));
  const step = readdirSync(run).find((d) => d.startsWith('loud'));
  const log = statSync(join(run, step, 'log')).size;
  rows.push({ mb, peakMiB: peakKiB / 1024, logMiB: log / 1024 / 1024 });
}
const base = rows[0].peakMiB;
console.log('task prints   kfpdsl peak RSS   log on disk   peak / peak(1 MB)');
for (const r of rows) console.log(`${String(r.mb).padStart(6)} MB   ${r.peakMiB.toFixed(1).padStart(10)} MiB   ${r.logMiB.toFixed(2).padStart(7)} MiB   ${(r.peakMiB / base).toFixed(2).padStart(6)}`);
