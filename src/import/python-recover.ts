/**
 * Recovers the user's Python function from the program kfp 1.8's `func_to_container_op`
 * generates (`sh -ec` wrapper, the function, serializers, argparse): its body, its parameters
 * (argparse `dest` names) and the packages pip-installed before it.
 */

export interface RecoveredPython {
  functionName: string;
  /** The function's body, dedented, docstring removed. */
  body: string;
  /** argparse flag (`--opt-i`) → the function's parameter name and how it is read. */
  params: Map<string, { dest: string; type: string }>;
  packages: string[];
  /** Number of outputs the wrapper serializes from the return value (0: none returned). */
  returned: number;
  /** The wrapper wraps a single return value in a list (`_outputs = [_outputs]`). */
  singleReturn: boolean;
}

const WRAPPER = /^program_path=\$\(mktemp\)\nprintf "%s" "\$0" > "\$program_path"\npython3 -u "\$program_path" "\$@"\n?$/;

/** The program text when `command` is kfp's Python wrapper (with or without a pip install first). */
export function pythonProgram(command: readonly unknown[]): { program: string; packages: string[] } | undefined {
  let rest = command;
  let packages: string[] = [];
  if (rest.length >= 3 && rest[0] === 'sh' && rest[1] === '-c' && typeof rest[2] === 'string' && rest[2].includes('pip install')) {
    const m = /pip install (.*?)(?:\|\||\)\s*&&)/s.exec(rest[2]);
    if (!m) return undefined;
    packages = (m[1]!.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).filter((t) => !t.startsWith('-')).map((t) => t.replace(/^['"]|['"]$/g, ''));
    rest = rest.slice(3);
  }
  // kfp before 1.4 ran the program with `python3 -u -c PROGRAM`.
  const py = rest.filter((a) => a !== '-u');
  if (py.length === 3 && (py[0] === 'python3' || py[0] === 'python') && py[1] === '-c' && typeof py[2] === 'string') return { program: py[2], packages };
  if (rest.length !== 4 || rest[0] !== 'sh' || rest[1] !== '-ec' || typeof rest[2] !== 'string' || !WRAPPER.test(rest[2]) || typeof rest[3] !== 'string') return undefined;
  return { program: rest[3], packages };
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function dedent(lines: string[]): string[] {
  let common: number | undefined;
  for (const l of lines) {
    if (l.trim() === '') continue;
    const n = l.length - l.trimStart().length;
    common = common === undefined ? n : Math.min(common, n);
  }
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(common ?? 0)));
}

function dropDocstring(lines: string[]): string[] {
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  const first = lines[i]?.trim() ?? '';
  const q = first.startsWith('"""') ? '"""' : first.startsWith("'''") ? "'''" : undefined;
  if (!q) return lines;
  if (first.length >= 6 && first.endsWith(q)) return lines.slice(i + 1);
  for (let j = i + 1; j < lines.length; j++) if (lines[j]!.trimEnd().endsWith(q)) return lines.slice(j + 1);
  return lines;
}

export function recoverPython(program: string, packages: string[]): RecoveredPython | undefined {
  const call = /^_outputs = ([A-Za-z_][A-Za-z0-9_]*)\(\*\*_parsed_args\)$/m.exec(program);
  if (!call) return undefined;
  const functionName = call[1]!;
  const def = new RegExp(`^def ${functionName}\\(`, 'm').exec(program);
  if (!def) return undefined;
  const close = matchingParen(program, def.index + def[0].length - 1);
  if (close < 0) return undefined;
  // After the parameters: an optional `-> annotation` (which may hold brackets), then `:`.
  let i = close + 1;
  while (i < program.length && program[i] !== ':') {
    if (program[i] === '(' || program[i] === '[') i = matchingParen(program, i);
    if (i < 0) return undefined;
    i++;
  }
  const afterColon = program.indexOf('\n', i);
  if (afterColon < 0) return undefined;
  const inline = program.slice(i + 1, afterColon).trim();
  const lines: string[] = inline && !inline.startsWith('#') ? [inline] : [];
  for (const line of program.slice(afterColon + 1).split('\n')) {
    if (line.trim() !== '' && !/^\s/.test(line)) break;
    lines.push(line);
  }
  const body = dropDocstring(dedent(lines)).join('\n').replace(/^\n+|\s+$/g, '');
  const params = new Map<string, { dest: string; type: string }>();
  for (const m of program.matchAll(/^_parser\.add_argument\("([^"]+)", dest="([^"]+)", type=(.*?), required=/gm)) {
    if (m[2] !== '_output_paths') params.set(m[1]!, { dest: m[2]!, type: m[3]! });
  }
  const outs = /^_output_serializers = \[\n([\s\S]*?)\n\]/m.exec(program);
  const returned = outs ? outs[1]!.split('\n').filter((l) => l.trim().replace(/,$/, '') !== '').length : 0;
  return { functionName, body: body === '' ? 'pass' : body, params, packages, returned, singleReturn: /^_outputs = \[_outputs\]$/m.test(program) };
}
