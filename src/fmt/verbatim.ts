/**
 * Re-indentation of the two multi-line tokens whose inside is content, not code: ``` code
 * blocks and """ descriptions. Their meaning is what the compiler reads out of them
 * (`dedent` in src/syntax/cst-to-ast.ts), so the only change allowed is one that `dedent`
 * cannot see: moving every non-blank line by the same amount, and emptying lines that hold
 * only white space. Everything else (trailing spaces, tabs, the text itself) stays as written.
 */

/** The token's lines, split at LF, CR LF and CR, as the compiler splits them. */
function splitLines(text: string): string[] {
  return text.split(/\r\n?|\n/);
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** The longest common leading run of spaces and tabs over the non-blank lines, as `dedent` computes it. */
export function commonIndent(lines: readonly string[]): string {
  let indent: string | undefined;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const lead = /^[ \t]*/.exec(line)![0];
    if (indent === undefined) {
      indent = lead;
      continue;
    }
    let i = 0;
    while (i < indent.length && i < lead.length && indent[i] === lead[i]) i++;
    indent = indent.slice(0, i);
  }
  return indent ?? '';
}

/** Moves the non-blank lines from their common indentation to `indent`; blank lines become empty. */
function shift(lines: readonly string[], indent: string): string[] {
  const cut = commonIndent(lines).length;
  return lines.map((l) => (isBlank(l) ? '' : indent + l.slice(cut)));
}

/**
 * A ``` block at indentation `indent` (the column its opening fence is printed at): the
 * fence lines at `indent`, the body at `indent` plus each line's indentation relative to
 * the body's common indentation. Returns the output lines; the first is printed after
 * the indentation already written.
 */
export function formatFence(image: string, indent: string): string[] {
  const lines = splitLines(image);
  const open = (lines[0] ?? '```').trimEnd();
  const body = lines.slice(1, -1);
  return [open, ...shift(body, indent), indent + '```'];
}

/**
 * A """ description or string printed on a line indented by `indent`. When the text
 * starts on the line after the opening quotes, the lines are re-indented as a block (the
 * compiler dedents them); when it starts right after the quotes, the compiler does not
 * dedent the following lines (the first line has no indentation), so they stay exactly
 * where they are. A closing `"""` alone on its line always moves to `indent`.
 */
export function formatTripleString(image: string, indent: string): string[] {
  const lines = splitLines(image.slice(3, -3));
  if (lines.length === 1) return [image];
  const first = lines[0]!;
  const rest = lines.slice(1);
  const lastIndex = rest.length - 1;
  const lastBlank = isBlank(rest[lastIndex]!);
  let body: string[];
  let head: string;
  if (isBlank(first)) {
    head = '"""';
    body = shift(rest, indent);
  } else if (rest.every(isBlank)) {
    head = '"""' + first.trimEnd();
    body = rest.map(() => '');
  } else {
    head = '"""' + first;
    body = rest.map((l) => (isBlank(l) ? '' : l));
  }
  body[lastIndex] = lastBlank ? indent + '"""' : body[lastIndex]! + '"""';
  return [head, ...body];
}
