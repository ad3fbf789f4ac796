/**
 * Which strings a YAML 1.1 reader could take for something else when written plain.
 * Argo and the KFP API server read YAML with Go's gopkg.in/yaml.v2, whose resolver goes
 * beyond the YAML 1.1 tag regexps: it hands digit-led text to Go's `strconv`, so `0X1F`,
 * `0B101`, `0O17` and `+0x1F` are integers there, `_` separators are dropped first,
 * and `y`/`N`/`ON` are booleans. The `yaml` library quotes only what its own 1.1 schema
 * would read as a non-string, so this predicate adds Go's forms.
 *
 * It errs on the side of quoting (a quoted string is a string to every reader): it is a
 * superset of yaml.v2's rules (ints of every base, floats, timestamps, the literal words
 * in every case) and of YAML 1.1's sexagesimal numbers, which yaml.v2 reads as strings
 * but PyYAML (the kfp SDK) reads as numbers. test/support/go-yaml-resolve.ts follows
 * yaml.v2's rules exactly, and the property test checks the two agree on every output.
 */

/** YAML 1.1 booleans and nulls, `.inf`/`.nan` and the merge key, matched in any letter case. */
const WORDS = new Set(['', '~', 'null', 'y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', '.nan', '.inf', '+.inf', '-.inf', '<<']);

/** After dropping `_`: an integer of any base strconv.ParseInt(s, 0, 64) knows, with a sign. */
const INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/;
/** After dropping `_`: yaml.v2's float pattern (also YAML 1.1's, which allows `1.` and `.5`). */
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Dates and times all start `YYYY-` and a digit (yaml.v2 tries time.Parse only then). */
const TIMESTAMP = /^[0-9]{4}-[0-9]/;
/** YAML 1.1 base-60 numbers: `1:20`, `-190:20:30.15`. */
const SEXAGESIMAL = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/;

export function mayReadAsNonString(s: string): boolean {
  if (WORDS.has(s.toLowerCase())) return true;
  // yaml.v2 resolves only text starting with a sign, a digit or `.` (the words aside).
  if (!/^[-+.0-9]/.test(s)) return false;
  const plain = s.replace(/_/g, '');
  return INT.test(plain) || FLOAT.test(plain) || /^\.[0-9]/.test(s) || TIMESTAMP.test(s) || SEXAGESIMAL.test(s);
}
