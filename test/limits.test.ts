/** Names and sizes that would fail only on a cluster fail at check time (src/check/limits.ts). */
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { SourceFile } from '../src/source.js';

function diagnose(text: string): { code: string; severity: string; line: number }[] {
  const file = new SourceFile('limits.kfp', text);
  return compileSource(file, { checkOnly: true }).diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: file.positionAt(d.span!.start).line }));
}

function component(name: string, codeBytes: number): string {
  const line = '  x = "' + 'a'.repeat(90) + '"\n';
  const body = line.repeat(Math.ceil(codeBytes / line.length));
  return `component ${name}() {\n  \`\`\`python\n${body}  print(len(x))\n  \`\`\`\n}\n`;
}

describe('target limits', () => {
  it('a pipeline name longer than generateName allows', () => {
    const name = 'a'.repeat(60);
    const src = `${component('step', 10)}\npipeline "${name}" () {\n  step()\n}\n`;
    expect(diagnose(src)).toEqual([{ code: 'KFP5001', severity: 'error', line: 8 }]);
  });

  it('a 57-character pipeline name is fine (58 with the dash)', () => {
    const src = `${component('step', 10)}\npipeline "${'a'.repeat(57)}" () {\n  step()\n}\n`;
    expect(diagnose(src)).toEqual([]);
  });

  it('a task name longer than 128 characters', () => {
    const long = 't'.repeat(130);
    const src = `${component('step', 10)}\npipeline "p" () {\n  ${long} = step()\n  step() after ${long}\n}\n`;
    expect(diagnose(src).map((d) => d.code)).toContain('KFP5001');
  });

  it('big code: argument over 128 KiB and annotations near the limit', () => {
    const src = `${component('big', 200 * 1024)}${component('big2', 200 * 1024)}\npipeline "p" () {\n  big()\n  big2()\n}\n`;
    const codes = diagnose(src).map((d) => `${d.code}:${d.severity}`);
    expect(codes).toContain('KFP5004:warning');
    expect(codes).toContain('KFP5002:warning');
    expect(codes).not.toContain('KFP5003:error');
  });

  it('code so large the pod annotations exceed 256 KiB, and the workflow 1 MiB', () => {
    const src = `${component('huge', 600 * 1024)}\npipeline "p" () {\n  huge()\n}\n`;
    const codes = diagnose(src).map((d) => `${d.code}:${d.severity}`);
    expect(codes).toContain('KFP5003:error');
    expect(codes).toContain('KFP5002:error');
  });
});
