/**
 * The last gate before anything is written: the text the templates rendered is parsed
 * back with `yaml`, checked to hold exactly the intended value and to satisfy its
 * schema, then normalised (src/emit/yaml.ts). A failure here is a bug in kfpdsl.
 *
 * The normalised text is not parsed a second time here: that doubled the cost of a
 * build. Tests prove the normaliser instead (every golden output parses to the same
 * value under YAML 1.1 and 1.2, and tricky strings round-trip).
 */
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source.js';
import { parseYaml, toYaml, UnwritableString } from './yaml.js';

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
  if (!sameData(first.value, intended)) return internal('template output does not hold the lowered value');
  const errors = schemaCheck(first.value);
  if (errors.length > 0) return internal(`output fails its schema: ${errors.slice(0, 3).join('; ')}`);
  try {
    return { text: toYaml(first.value), diagnostics: [] };
  } catch (e) {
    // The checker refuses lone surrogates where they are written; one reaching this point is our bug.
    if (e instanceof UnwritableString) return internal(e.message);
    throw e;
  }
}

/**
 * Deep equality of parsed data, blind to prototypes: maps keyed by user text are built
 * without one (so `__proto__` is an ordinary key) while the YAML reader makes plain objects.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && sameData(ra[k], rb[k]));
}
