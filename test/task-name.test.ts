// taskName answers simple names (lower-case words joined by `_` or `-`) without its regex passes
// (src/names.ts): the shortcut must give exactly what the full rule gives, on every input.
import { describe, expect, it } from 'vitest';
import { taskName } from '../src/names.js';

/** kfp's rule written out in full (compiler/_k8s_helper.py), as taskName applies it to other names. */
function fullRule(human: string): string {
  let s = human.toLowerCase().replace(/[\W_]/g, ' ').replace(/ +/g, ' ').trim();
  if (/^[0-9]/.test(s)) s = 'n' + s;
  s = s.replace(/ /g, '-').toLowerCase().replace(/[^-0-9a-z]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  return s === '' ? 'task' : s;
}

describe('taskName', () => {
  it('names as kfp does', () => {
    expect(taskName('t12')).toBe('t12');
    expect(taskName('load_data')).toBe('load-data');
    expect(taskName('x1_y2-z3')).toBe('x1-y2-z3');
    expect(taskName('a__b')).toBe('a-b');
    expect(taskName('My Component_Name!')).toBe('my-component-name');
    expect(taskName('2nd')).toBe('n2nd');
    expect(taskName('_')).toBe('task');
  });

  it('agrees with the full rule on every string of up to 6 characters from a-z 0-9 _ - and a few others', () => {
    const alphabet = ['a', 'z', '0', '_', '-', 'A', ' ', 'é'];
    let checked = 0;
    const all = (prefix: string, left: number): void => {
      expect(taskName(prefix), JSON.stringify(prefix)).toBe(fullRule(prefix));
      checked++;
      if (left > 0) for (const c of alphabet) all(prefix + c, left - 1);
    };
    all('', 6);
    expect(checked).toBe((8 ** 7 - 1) / 7);
  });
});
