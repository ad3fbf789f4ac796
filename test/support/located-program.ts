// kfpdsl's Python programs define the user's function from a string placed at its .kfp lines
// (`_kfpdsl_define`, see src/lower/python-component.ts) where kfp writes the `def` itself. For
// comparisons with kfp's output, plainProgram() turns the first form back into the second: the
// helper is dropped and its call replaced by the `def` it compiles. Throws when the program does
// not have exactly the shape kfpdsl generates, so a comparison cannot pass by accident.

const HELPER = /^def _kfpdsl_define\(path, def_line, source\):\n(?: {4}.*\n)+\n/m;
const CALL = /^_kfpdsl_define\('(?:[^'\\]|\\.)*', \d+, \(\n((?: {4}'(?:[^'\\]|\\.)*'\n| {4}"(?:[^"\\]|\\.)*"\n)+)\)\)\n/m;

/** Whether a program defines its function with `_kfpdsl_define`. */
export function isLocated(program: string): boolean {
  return HELPER.test(program);
}

export function plainProgram(program: string): string {
  const helper = HELPER.exec(program);
  if (!helper) throw new Error('no _kfpdsl_define helper in the program');
  const withoutHelper = program.slice(0, helper.index) + program.slice(helper.index + helper[0].length);
  const call = CALL.exec(withoutHelper);
  if (!call) throw new Error('no _kfpdsl_define(...) call in the program');
  const def = call[1]!
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => pythonStringLiteral(l.trim()))
    .join('');
  return withoutHelper.slice(0, call.index) + def + withoutHelper.slice(call.index + call[0].length);
}

/** The value of one Python str literal as repr() writes it. */
function pythonStringLiteral(literal: string): string {
  const body = literal.slice(1, -1);
  return body.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
    const v = simple[e];
    if (v === undefined) throw new Error(`unexpected escape \\${e}`);
    return v;
  });
}
