/**
 * `kfpdsl run` reads an output parameter from its file as Argo's executor does: minus one
 * trailing newline, no more (argo-workflows workflow/executor/executor.go, SaveParameters:
 * `strings.TrimSuffix(output, "\n")`, "Trims off a single newline for user convenience"). So
 * `echo tails > out` gives `tails`, as on a cluster, and a second newline or a `\r` stays: an
 * imported kfp v1 pipeline sees the same text its original did. The real binary, real `sh`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSync } from './support/run-cli.js';

// The texts hold a backslash and `n` (`\\n` here): printf turns them into the newlines written.
const source = `
component write(text: str) -> (out: str) {
  image: "alpine:3.19"
  command: ["sh", "-c", "printf \\"$0\\" > \\"$1\\"", text, out]
}

component show(text: str) {
  image: "alpine:3.19"
  command: ["sh", "-c", "printf '[%s]' \\"$0\\"", text]
}

pipeline "newline" () {
  one = write("tails\\\\n")
  two = write("tails\\\\n\\\\n")
  crlf = write("tails\\\\r\\\\n")
  none = write("tails")
  show(one)
  show(two)
  show(crlf)
  show(none)
}
`;

describe('kfpdsl run: output parameters read from files', () => {
  it('trims one trailing newline, as Argo does, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kfpdsl-newline-'));
    writeFileSync(join(dir, 'kfpdsl.yaml'), '');
    writeFileSync(join(dir, 'newline.kfp'), source);
    const run = runSync(dir, [join(dir, 'newline.kfp'), '--root', dir, '--quiet'], {}, dir);
    expect(run.status, run.stderr).toBe(0);
    const out = (name: string): string | undefined => run.json!.tasks.find((t) => t.name === name)?.outputs.parameters['write-out'];
    expect(out('one')).toBe('tails');
    expect(out('two')).toBe('tails\n');
    expect(out('crlf')).toBe('tails\r');
    expect(out('none')).toBe('tails');
    // The consumer gets the trimmed text.
    const shown = run.json!.tasks.filter((t) => t.name.startsWith('show')).map((t) => readFileSync(t.log!, 'utf8')).sort();
    expect(shown).toEqual(['[tails\n]', '[tails\r]', '[tails]', '[tails]'].sort());
  });
});
