// The redactor every line of `upload`/`submit` output passes through.
import { describe, expect, it } from 'vitest';
import { Secrets } from '../src/cluster/secrets.js';

describe('Secrets.redact', () => {
  it('replaces each secret, its URL-encoded form, and a longer secret before a shorter one inside it', () => {
    const s = new Secrets();
    s.add('abc+/=token');
    s.add('abc+');
    expect(s.redact('Bearer abc+/=token and abc%2B%2F%3Dtoken and abc+ alone')).toBe('Bearer *** and *** and *** alone');
  });

  it('ignores values too short to be secrets (they would blank out ordinary text)', () => {
    const s = new Secrets();
    s.add('ab');
    s.add(undefined);
    expect(s.redact('about ab')).toBe('about ab');
  });
});
