/** What Python accepts as a parameter name, since every input becomes one in the generated program. */

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

/** Names the generated program itself uses at module level; a parameter with one of them would shadow it. */
const RESERVED = new Set(['argparse', 'json', 'os']);

export function pythonNameProblem(name: string): string | undefined {
  if (KEYWORDS.has(name)) return `\`${name}\` is a Python keyword`;
  if (name.startsWith('_')) return `names starting with \`_\` are reserved for the generated program`;
  if (RESERVED.has(name)) return `\`${name}\` is a module the generated program imports`;
  return undefined;
}
