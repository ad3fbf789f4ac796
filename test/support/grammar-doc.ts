/** The grammar as documented: the productions of grammar/parser.ts's doc comments, and README.md's Grammar block. */

export interface Production {
  readonly rule: string;
  /** The right-hand side, white space collapsed. */
  readonly body: string;
}

const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Each `X = this.RULE('X', …)` with the doc comment above it: the comment's first line is
 * `X : …`, continued by lines starting with `|`; a note after three spaces, `   (…)`, is not part of it.
 */
export function parserProductions(source: string): Production[] {
  const out: Production[] = [];
  for (const m of source.matchAll(/\/\*\*((?:(?!\*\/)[^])*)\*\/\s*\n\s*(\w+) = this\.RULE\('(\w+)'/g)) {
    const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\*?\s?/, '').trimEnd()).filter((l) => l.trim() !== '');
    const first = /^(\w+)\s*:\s*(.*)$/.exec(lines[0]!.trim());
    if (!first || first[1] !== m[3]) throw new Error(`the doc comment of rule ${m[3]} does not start with its production`);
    const body = [first[2]!];
    for (const l of lines.slice(1)) {
      if (!l.trim().startsWith('|')) break;
      body.push(l);
    }
    out.push({ rule: first[1]!, body: squash(body.join(' ').replace(/ {3,}\(.*$/, '')) });
  }
  return out;
}

/** The productions of a grammar block: `rule : body` lines, continued by lines starting with `|`. */
export function blockProductions(block: string): Production[] {
  const out: { rule: string; body: string }[] = [];
  for (const line of block.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\w+)\s*:\s*(.*)$/.exec(line);
    if (m) out.push({ rule: m[1]!, body: m[2]! });
    else if (line.trim().startsWith('|') && out.length > 0) out[out.length - 1]!.body += ` ${line.trim()}`;
    else throw new Error(`not a production: ${line}`);
  }
  return out.map((p) => ({ rule: p.rule, body: squash(p.body) }));
}
