/**
 * The checks on a fence's Python, as a pure function of the code and the component's
 * interface: no `.kfp` file, no diagnostics context. Positions are offsets into the
 * program text (`wrapBody`), which check-fence.ts maps back to the `.kfp` file. Tests and
 * the false-positive measurement call this directly on Python taken from elsewhere.
 */
import type { CodeName } from '../../diagnostics/catalog.js';
import { didYouMean, SUGGESTION_CELLS, SuggestionBudget } from '../../diagnostics/suggest.js';
import { PYTHON_BUILTINS } from './builtins.js';
import { wrapBody } from './fence.js';
import { fenceNames } from './names.js';
import { N, parsePython, type PyNode } from './pyright.js';
import { blockEnds, isGenerator, ownReturns } from './returns.js';
import { firstSyntaxError, syntaxHint } from './syntax.js';

export interface FenceInterface {
  readonly componentName: string;
  /** Parameters of the generated function: inputs and `file` outputs (their paths). */
  readonly params: readonly string[];
  /** Outputs the function returns (everything but `file` outputs), in order, with their types. */
  readonly valueOutputs: readonly { readonly name: string; readonly type: string }[];
  /** Names the generated program defines at module level before it calls the function. */
  readonly programGlobals: readonly string[];
  /** Python 3 minor version of the image. */
  readonly minor: number;
  /** The check run's "did you mean" budget (check-fence.ts passes it); without one, a budget for this fence alone. */
  readonly suggestions?: SuggestionBudget;
}

export interface FenceProblem {
  readonly code: CodeName;
  readonly message: string;
  /** Offsets into `program`; `where: 'fence'` means the fence as a whole (its opening line). */
  readonly start: number;
  readonly end: number;
  readonly where?: 'fence';
  readonly label?: string;
  readonly hint?: string;
  /** A span of the declaration to show beside it ('outputs'). */
  readonly related?: 'outputs';
}

export interface FenceReport {
  readonly program: string;
  readonly lineStarts: readonly number[];
  readonly problems: readonly FenceProblem[];
}

export function fenceProblems(body: string, iface: FenceInterface): FenceReport {
  const program = wrapBody(body);
  const parse = parsePython(program, iface.minor);
  const problems: FenceProblem[] = [];
  const report = { program, lineStarts: parse.lineStarts, problems };
  const syntax = firstSyntaxError(program, parse, iface.minor);
  if (syntax) {
    const message = syntax.message.split('\n')[0]!;
    problems.push({ code: 'PythonSyntaxError', message: `Python syntax error: ${message.charAt(0).toLowerCase()}${message.slice(1)}`, start: syntax.start, end: syntax.end, hint: syntaxHint(message) });
    return report;
  }
  const fn = (parse.module.d['statements'] as PyNode[])[0]!;
  const suite = fn.d['suite'] as PyNode;
  const statements = suite.d['statements'] as PyNode[];
  const pasted = pastedDefHeader(statements, iface);
  if (pasted) {
    problems.push(pasted);
    return report;
  }
  // The nodes of the fence: the module's, less the module and the `def` line's own nodes.
  const nodes = parse.nodes.filter((n) => n.start >= suite.start && n !== suite);
  problems.push(...returnProblems(fn, nodes, statements, iface), ...nameProblems(suite, nodes, iface));
  return report;
}

const isImportOrDocstring = (s: PyNode): boolean =>
  s.nodeType === N.StatementList &&
  (s.d['statements'] as PyNode[]).every((x) => x.nodeType === N.Import || x.nodeType === N.ImportFrom || x.nodeType === N.StringList);

/**
 * KFP6002: the kfp tutorial shows `def add(a: float, b: float) -> float:` with its body; pasted
 * whole into the fence, it defines a nested function that nothing calls, and the component
 * returns None. Reported when the first statement (after imports) is a `def` that nothing
 * outside it reads, named like the component or followed by no other code.
 */
function pastedDefHeader(body: readonly PyNode[], iface: FenceInterface): FenceProblem | undefined {
  const i = body.findIndex((s) => !isImportOrDocstring(s));
  const def = body[i];
  if (!def || def.nodeType !== N.Function) return undefined;
  const nameNode = def.d['name'] as PyNode;
  const name = nameNode.d['value'] as string;
  const rest = body.filter((s) => s !== def);
  if (rest.some((s) => fenceNames(s).reads.some((r) => r.name === name))) return undefined;
  const onlyDefinitions = rest.slice(i).every((s) => s.nodeType === N.Function || s.nodeType === N.Class || isImportOrDocstring(s));
  if (name !== iface.componentName && !onlyDefinitions) return undefined;
  const params = (def.d['params'] as PyNode[]).map((p) => (p.d['name'] as PyNode | undefined)?.d['value'] as string | undefined).filter((p) => p !== undefined);
  return {
    code: 'PastedDefHeader',
    message: `the code only defines \`${name}\` and never calls it`,
    start: def.start,
    end: nameNode.start + nameNode.length,
    label: 'a `def` of its own inside the component',
    hint:
      `the fence is the function's body: remove the \`def ${name}(${params.join(', ')}):\` line and dedent what follows; ` +
      `the signature comes from the header \`component ${iface.componentName}(…)\``,
  };
}

function returnProblems(fn: PyNode, nodes: readonly PyNode[], body: readonly PyNode[], iface: FenceInterface): FenceProblem[] {
  const values = iface.valueOutputs;
  if (values.length === 0 || isGenerator(nodes, fn)) return [];
  const out: FenceProblem[] = [];
  const returns = ownReturns(nodes, fn);
  const shape = values.length === 1 ? `\`${values[0]!.name}: ${values[0]!.type}\`` : `(${values.map((v) => v.name).join(', ')})`;
  const returnHint =
    values.length === 1
      ? `end with \`return <${values[0]!.type} value>\``
      : `end with \`return ${values.map((v) => v.name).join(', ')}\` (a tuple, in the order the outputs are declared)`;
  const plural = values.length > 1 ? 's' : '';
  if (!returns.some((r) => r.d['expr'] !== undefined)) {
    out.push({
      code: 'NoReturnValue',
      message: `\`${iface.componentName}\` declares output${plural} ${shape} but its code never returns a value`,
      start: 0,
      end: 0,
      where: 'fence',
      label: 'no `return` with a value in this code',
      hint: `${returnHint}; otherwise the task fails at run time with \`Value "None" has type NoneType\``,
      related: 'outputs',
    });
    return out;
  }
  const bare = returns.find((r) => r.d['expr'] === undefined);
  if (bare) {
    out.push({ code: 'MissingReturn', message: `a bare \`return\` gives back None, but \`${iface.componentName}\` has output${plural} ${shape}`, start: bare.start, end: bare.start + bare.length, hint: returnHint });
  }
  const last = body[body.length - 1];
  if (last && !blockEnds(body)) {
    out.push({
      code: 'MissingReturn',
      message: `the code of \`${iface.componentName}\` can reach its end without returning ${shape}`,
      start: last.start,
      end: last.start + last.length,
      label: 'after this, the function returns None',
      hint: `${returnHint} on every path, or \`raise\` where there is no value`,
    });
  }
  return out;
}

function nameProblems(suite: PyNode, nodes: readonly PyNode[], iface: FenceInterface): FenceProblem[] {
  const names = fenceNames(suite, nodes);
  if (names.wildcardImport) return [];
  const known = new Set([...iface.params, ...names.bound, ...iface.programGlobals]);
  const valueOutputs = new Set(iface.valueOutputs.map((o) => o.name));
  const candidates = [...known];
  // Thousands of undefined names among thousands of defined ones would compare every pair: the
  // check run's budget bounds that (called alone, a budget in proportion to the fence); past
  // it a name gets the plain hint.
  const budget = iface.suggestions ?? new SuggestionBudget(Math.min(SUGGESTION_CELLS, 65_536 + 256 * (names.reads.length + candidates.length)));
  return names.reads
    .filter((r) => !known.has(r.name) && !PYTHON_BUILTINS.has(r.name) && !r.name.startsWith('_'))
    .map((r) => ({
      code: 'UndefinedPythonName' as const,
      message: `name \`${r.name}\` is not defined`,
      start: r.start,
      end: r.end,
      label: 'read here, but not an input, an import, a builtin, nor assigned in this code',
      hint: undefinedNameHint(r.name, valueOutputs, iface.params, candidates, budget),
    }));
}

function undefinedNameHint(name: string, valueOutputs: ReadonlySet<string>, params: readonly string[], candidates: readonly string[], budget: SuggestionBudget): string {
  if (valueOutputs.has(name)) return `\`${name}\` is a value output, not a variable: \`return\` its value instead`;
  // kfp strips `_path` and `_file` from OutputPath/InputPath parameters; kfpdsl names them as declared.
  const stripped = name.replace(/_(path|file)$/, '');
  if (stripped !== name && params.includes(stripped)) return `the path is in \`${stripped}\`: kfpdsl names file inputs and outputs as declared, without kfp's \`_path\``;
  if (stripped === 'mlpipeline_metrics' || stripped === 'mlpipeline_ui_metadata') {
    const type = stripped === 'mlpipeline_metrics' ? 'metrics' : 'ui_metadata';
    return `in kfpdsl this file is an output: declare \`-> (${stripped}: ${type})\` and \`return\` the dict instead of writing it`;
  }
  // The code's own names first: a builtin at the same distance is rarely what was meant.
  return didYouMean(name, candidates, budget) ?? didYouMean(name, PYTHON_BUILTINS) ?? 'define it in the code, import it, or add it as an input of the component';
}
