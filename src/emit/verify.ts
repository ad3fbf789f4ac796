/**
 * The last gate before anything is written. The text the templates rendered is what is
 * written; this checks it. The full check parses the text back with `yaml`, checks that it
 * holds exactly the lowered value and that the value satisfies its schema: tests always run
 * it (vitest.config.ts sets KFPDSL_VERIFY=1, which the CLI honours too), and so does
 * `kfpdsl build --verify`. A plain build validates the lowered value against the schema
 * only. Measured on `kfpdsl build examples/add.kfp` (18 KiB of output), parsing back was
 * 60% of the compile work, most of it the parser's cold start, which no size threshold
 * avoids; the schema check was 5%. On a 1,000-task chain (225 KiB) parsing back costs more
 * than the rest of the build together. A failure here is a bug in kfpdsl.
 */
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../source.js';
import { parseYaml } from './yaml.js';

export type SchemaCheck = (value: unknown) => string[];

/** `full`: parse back, compare, validate. `schema`: validate the lowered value only. */
export type VerifyMode = 'full' | 'schema';

export function verifyRendered(
  rendered: string,
  intended: unknown,
  what: string,
  schemaCheck: SchemaCheck,
  file: SourceFile,
  mode: VerifyMode = 'full',
): { text?: string; diagnostics: Diagnostic[] } {
  const internal = (message: string): { diagnostics: Diagnostic[] } => ({
    diagnostics: [diag('Internal', `${what}: ${message}`, { file })],
  });
  let value = intended;
  if (mode === 'full') {
    const parsed = parseYaml(rendered, '1.2');
    if (parsed.error) return internal(`template produced invalid YAML (line ${parsed.error.line ?? '?'}): ${parsed.error.message}`);
    if (!sameData(parsed.value, intended)) return internal('template output does not hold the lowered value');
    value = parsed.value;
  }
  const errors = schemaCheck(value);
  if (errors.length > 0) return internal(`output fails its schema: ${errors.slice(0, 3).join('; ')}`);
  return { text: rendered, diagnostics: [] };
}

/**
 * Deep equality of parsed data, blind to prototypes: maps keyed by user text are built
 * without one (so `__proto__` is an ordinary key) while the YAML reader makes plain objects.
 * Keys whose value is undefined count as absent (the writer leaves them out).
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(a).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(b).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(rb, k) && sameData(ra[k], rb[k]));
}
