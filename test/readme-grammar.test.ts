// README.md's Grammar block is the parser's grammar: the same rules, in the same order, with the
// same productions as grammar/parser.ts's doc comments (which the parser's code follows).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockProductions, parserProductions } from './support/grammar-doc.js';
import { repoRoot } from './support/cli.js';
import { fencesOf } from './support/markdown.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const parser = readFileSync(join(repoRoot, 'grammar/parser.ts'), 'utf8');
/** Token names are spelt two ways in the comments (`IntLiteral`, `Int`): the same terminals. */
const terminals = (body: string): string => body.replace(/\bIntLiteral\b/g, 'Int').replace(/\bStringLiteral\b/g, 'String');

describe('README.md: the Grammar section', () => {
  const section = readme.slice(readme.indexOf('### Grammar'), readme.indexOf('\n### ', readme.indexOf('### Grammar') + 1));
  const blocks = fencesOf(section).filter((f) => f.info === 'grammar');

  it('has one grammar block', () => {
    expect(blocks).toHaveLength(1);
  });

  it('lists exactly the rules of grammar/parser.ts, with their productions', () => {
    const documented = blockProductions(blocks[0]!.text).map((p) => `${p.rule} : ${terminals(p.body)}`);
    const parsed = parserProductions(parser).map((p) => `${p.rule} : ${terminals(p.body)}`);
    expect(parsed.length).toBeGreaterThan(20);
    expect(documented).toEqual(parsed);
  });

  it('every rule the parser defines has a documented production (none is undocumented)', () => {
    const rules = [...parser.matchAll(/(\w+) = this\.RULE\('(\w+)'/g)].map((m) => m[2]);
    expect(parserProductions(parser).map((p) => p.rule)).toEqual(rules);
  });
});
