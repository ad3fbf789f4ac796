/** Secret masking in task logs: the same result however the stream is cut into chunks. */
import { describe, expect, it } from 'vitest';
import { Masker } from '../src/run/mask.js';

/** A small seeded PRNG (mulberry32): the cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const secrets = new Map([
  ['hunter2', '<secret:db/pw>'],
  ['hunter2-long', '<secret:db/long>'],
  ['비밀번호', '<secret:kr/pw>'],
  ['abc', '<secret:short/x>'],
]);

function maskAll(chunks: readonly Buffer[]): string {
  const m = new Masker(secrets);
  return Buffer.concat([...chunks.map((c) => m.push(c)), m.flush()]).toString('utf8');
}

describe('Masker', () => {
  it('masks whole values, longest first, and leaves values under 4 characters alone', () => {
    expect(maskAll([Buffer.from('pw=hunter2 long=hunter2-long kr=비밀번호 abc')])).toBe('pw=<secret:db/pw> long=<secret:db/long> kr=<secret:kr/pw> abc');
  });

  it('gives the same text for 500 random streams cut at random points', () => {
    const rand = prng(17);
    const pieces = ['hunter2', 'hunter2-long', '비밀번호', 'abc', 'x', '\n', 'hunter', '비밀', ' '];
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => pieces[Math.floor(rand() * pieces.length)]).join('');
      const bytes = Buffer.from(text);
      const cuts = [...new Set(Array.from({ length: Math.floor(rand() * 6) }, () => Math.floor(rand() * bytes.length)))].sort((a, b) => a - b);
      const chunks = [0, ...cuts].map((from, j) => bytes.subarray(from, [...cuts, bytes.length][j]));
      expect(maskAll(chunks)).toBe(maskAll([bytes]));
      expect(maskAll(chunks)).not.toMatch(/hunter2|비밀번호/);
    }
  });
});
