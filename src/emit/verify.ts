/**
 * The last gate before anything is written: rendered text is parsed back, normalised,
 * parsed again as Go and PyYAML would read it, and checked to hold exactly the
 * intended value and to satisfy its schema. A failure here is a bug in kfpdsl.
 */
import { isDeepStrictEqual } from 'node:util';
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source.js';
import { parseYaml, toYaml } from './yaml.js';

export type SchemaCheck = (value: unknown) => string[];

export function verifyRendered(
  rendered: string,
  intended: unknown,
  what: string,
  schemaCheck: SchemaCheck,
  file: SourceFile,
): { text?: string; diagnostics: Diagnostic[] } {
  const internal = (message: string): { diagnostics: Diagnostic[] } => ({
    diagnostics: [diag('Internal', `${what}: ${message}`, { file })],
  });
  const first = parseYaml(rendered, '1.2');
  if (first.error) return internal(`template produced invalid YAML (line ${first.error.line ?? '?'}): ${first.error.message}`);
  if (!isDeepStrictEqual(first.value, intended)) return internal('template output does not hold the lowered value');
  const text = toYaml(first.value);
  const again = parseYaml(text, '1.1');
  if (again.error) return internal(`normalised YAML does not parse as YAML 1.1: ${again.error.message}`);
  if (!isDeepStrictEqual(again.value, intended)) return internal('normalised YAML reads back differently under YAML 1.1');
  const errors = schemaCheck(again.value);
  if (errors.length > 0) return internal(`output fails its schema: ${errors.slice(0, 3).join('; ')}`);
  return { text, diagnostics: [] };
}
