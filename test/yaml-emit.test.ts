/**
 * The YAML normaliser: strings that YAML 1.1 readers (Go's yaml.v2 in Argo and kubectl,
 * PyYAML in the kfp SDK) would misread stay strings, non-ASCII text is escaped (outside readable
 * block scalars: test/yaml-writer.test.ts), and
 * everything parses back to exactly the same value under YAML 1.1 and 1.2. Values go
 * through the real Handlebars component template too.
 */
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { toYaml } from '../src/emit/yaml.js';
import { renderComponent } from '../src/lower/render.js';

const TRICKY = [
  'on', 'off', 'yes', 'no', 'y', 'n', 'Y', 'N', 'ON', 'True', 'false', 'null', '~', '', ' ', '0755', '0o17', '0b101', '0x1F',
  '-0x1F', '1_000', '1e3', '.inf', '.nan', '12:30:00', '2020-01-01', '=', '<<', '.', '-', '- a', '? a', ': a', '#x', 'a #b',
  '@x', '`x', '%x', '!x', '&x', '*x', '|', '>', '{a}', '[a]', 'a: b', '"q"', "'q'", 'line\nbreak', 'trailing\n', '  lead',
  'tab\there', '{{inputs.parameters.x}}', '{{workflow.name}}-pvc', '한글 주석', 'emoji 🚀', 'mixed 한 \n line', '\u2028sep', 'nul\u0000',
  // Only Go's yaml.v2 types these (strconv bases, any letter case): see test/go-yaml-agreement.test.ts.
  '0X1F', '0B101', '0O17', '+0x1F', 'Y', 'NO', '.Inf', '-.INF', '.NaN', '1__0', '190:20:30.15', 'del\u007f', 'c1\u0085\u009f', 'esc\u001b',
];

describe('toYaml', () => {
  it.each(TRICKY.map((s) => [JSON.stringify(s), s]))('%s round-trips under YAML 1.1 and 1.2', (_label, s) => {
    const value = { key: s, list: [s], [`k${s.length}`]: { nested: s } };
    const text = toYaml(value);
    expect(/^[\x00-\x7f]*$/.test(text)).toBe(true);
    expect(YAML.parse(text, { version: '1.1' })).toEqual(value);
    expect(YAML.parse(text, { version: '1.2' })).toEqual(value);
  });

  it('forces quotes on a bare `=`, which PyYAML cannot load', () => {
    expect(toYaml({ a: '=' })).toBe('a: "="\n');
  });

  it('quotes what only Go types, and escapes DEL, which Go rejects raw', () => {
    expect(toYaml({ a: '0X1F', b: 'Y', c: 'a\x7fb' })).toBe('a: "0X1F"\nb: "Y"\nc: "a\\x7Fb"\n');
  });

  it('refuses a lone surrogate, which no YAML can hold', () => {
    expect(() => toYaml({ a: '\ud800' })).toThrow(/lone surrogate/);
  });

  it('escapes astral characters with \\U', () => {
    expect(toYaml({ a: '🚀' })).toBe('a: "\\U0001F680"\n');
  });

  it('never emits anchors for shared objects', () => {
    const shared = { x: 1 };
    expect(toYaml({ a: shared, b: shared })).not.toMatch(/[&*]a1/);
  });
});

describe('the component template', () => {
  it('carries every tricky string through Handlebars and YAML unchanged', () => {
    const spec = {
      name: 'Tricky',
      description: TRICKY.join(' | '),
      inputs: TRICKY.map((s, i) => ({ name: `in${i}`, type: 'String', default: s, optional: true })),
      implementation: { container: { image: 'alpine:3.19', command: ['sh', '-c', 'echo "$0" {{inputs.parameters.x}}', ...TRICKY] } },
    };
    const rendered = renderComponent(spec, { path: 'tricky.kfp' });
    expect(YAML.parse(rendered)).toEqual(spec);
    expect(YAML.parse(toYaml(YAML.parse(rendered)), { version: '1.1' })).toEqual(spec);
  });
});
