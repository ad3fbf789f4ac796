/**
 * How PyYAML reads plain scalars, for the files the KFP SDK reads and writes with it: a
 * component.yaml (`import "c.yaml" as c`, `kfpdsl import c.yaml`) and a kfp v1 compiled
 * pipeline (`kfpdsl import pipeline.yaml`). PyYAML follows YAML 1.1 (`0755` is 493, `1:20` is
 * 80, `yes` and `on` are booleans) with its own patterns (resolver.py), which differ from the
 * `yaml` library's YAML 1.1 schema in a few places: `y`, `Y`, `n` and `N` stay strings (Go's
 * yaml.v2 reads them as booleans, which is why what we write quotes them), a float needs a dot
 * and an exponent a sign (`1e3` and `1.0e3` are strings, `1.0e+3` is 1000), a leading dot takes
 * no sign (`-.5` is a string), `09` and `0:30` are strings. The library's YAML 1.2 core
 * schema, which `kfpdsl import` used, read `0755` as 755 and `yes` as a string. So: the YAML 1.1
 * schema with PyYAML's patterns.
 */
import type { DocumentOptions, ParseOptions, ScalarTag, SchemaOptions } from 'yaml';

/** PyYAML's patterns, by the `yaml` library's tag, format and (for the two unformatted floats) what the tag reads. */
const PATTERNS: Record<string, RegExp> = {
  'bool|true': /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  'bool|false': /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  'int|BIN': /^[-+]?0b[0-1_]+$/,
  'int|OCT': /^[-+]?0[0-7_]+$/,
  'int|': /^[-+]?(?:0|[1-9][0-9_]*)$/,
  'int|HEX': /^[-+]?0x[0-9a-fA-F_]+$/,
  'int|TIME': /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/,
  'float|special': /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  'float|': /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/,
  'float|EXP': /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)[eE][-+][0-9]+$/,
  'float|TIME': /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
};

function key(t: ScalarTag & { test: RegExp }): string {
  const kind = t.tag.slice(t.tag.lastIndexOf(':') + 1);
  if (kind === 'bool') return `bool|${t.test.test('true')}`;
  if (kind === 'float' && t.format === undefined && t.test.test('.inf')) return 'float|special';
  return `${kind}|${t.format ?? ''}`;
}

type Tags = Exclude<NonNullable<SchemaOptions['customTags']>, (...args: never[]) => unknown>;

function pyyamlTags(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t !== 'object' || !(t.test instanceof RegExp)) return t;
    const pattern = PATTERNS[key(t as ScalarTag & { test: RegExp })];
    if (pattern === undefined) return t;
    const tag: ScalarTag = { ...(t as ScalarTag), test: pattern };
    return tag;
  });
}

/** Options for `YAML.parseDocument` that read as PyYAML does (the caller adds its own). */
export const PYYAML: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.1', customTags: pyyamlTags };
