/**
 * A YAML comment line holding any text (a source path, a description, a default shown in a
 * header). What would end the comment for some reader (LF, CR, NEL and U+2028/2029 are line
 * breaks in YAML 1.1), what Go's yaml.v2 rejects anywhere in a stream (C0 and C1 controls,
 * DEL, U+FFFE/U+FFFF) and what no UTF-8 can hold (a lone surrogate) is written as a `\uXXXX`
 * escape: a comment is read by people, and the text stays a comment for every reader.
 */
const COMMENT_UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/g;
const COMMENT_UNSAFE_ANY = /[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;

/** A `# text` comment line, whatever `text` holds. */
export function commentLine(text: string): string {
  if (!COMMENT_UNSAFE_ANY.test(text)) return '# ' + text;
  return '# ' + text.replace(COMMENT_UNSAFE, (c) => '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'));
}
