/**
 * Which Python each task of `kfpdsl run` gets. A template whose component has `packages` runs
 * with its package set's virtual environment first on PATH (see run-venv.ts); the others run
 * with `--python` when given (through `python3`/`python` shims first on PATH), else with the
 * `python3` on PATH. The generated pip prefix is stripped from the command lines (see run.ts):
 * the packages are already in the task's environment, and the prefix's `--user` fallback
 * would write into the user's ~/.local.
 */
import { diag } from '../diagnostics/catalog.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrProgram } from '../ir/ir.js';
import type { SourceFile } from '../source.js';
import type { Document } from '../syntax/ast.js';
import type { PipStep } from './run-inputs.js';
import { cacheRoot, ensureVenv, probePython, pythonShims, type Interpreter } from './run-venv.js';

export interface PythonPlan {
  /** PATH (and VIRTUAL_ENV) for a template's tasks. */
  readonly templateEnv: (template: string, env: Readonly<Record<string, string>>) => Record<string, string>;
  /** What was made or reused, for the start of the run. */
  readonly notes: string[];
}

export type PythonSetup = { plan: PythonPlan } | { diagnostics: Diagnostic[]; exitCode: number } | { interruptedBy: NodeJS.Signals };

export interface PythonRequest {
  readonly file: SourceFile;
  readonly document: Document | undefined;
  /** The compiled program (absent for a pipeline spec run as it is). */
  readonly program: IrProgram | undefined;
  readonly steps: readonly PipStep[];
  /** --python */
  readonly python?: string;
  readonly skipPackages: boolean;
  /** Printed before a slow step (making an environment). */
  readonly say: (text: string) => void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function preparePython(r: PythonRequest): Promise<PythonSetup> {
  const wantVenvs = r.steps.length > 0 && !r.skipPackages;
  if (!wantVenvs && r.python === undefined) return { plan: { templateEnv: () => ({}), notes: [] } };

  const probed = probePython(r.python ?? 'python3');
  if ('error' in probed) {
    const hint = r.python !== undefined ? 'pass --python PATH to a Python 3 interpreter (e.g. /usr/bin/python3 or a virtual environment\'s bin/python)' : 'install Python 3 with venv, or pass --python PATH; --skip-packages runs without making environments';
    return { diagnostics: [diag('PythonNotUsable', probed.error, { file: r.file, hint })], exitCode: 2 };
  }
  const py: Interpreter = probed;
  const root = cacheRoot();
  const shims = r.python !== undefined ? pythonShims(py, root) : undefined;
  const venvOf = new Map<string, string>();
  const notes: string[] = [];
  if (r.python !== undefined) notes.push(`tasks run with ${py.command} (Python ${py.version})`);

  if (wantVenvs) {
    // One environment per distinct package set.
    const groups = new Map<string, { requirements: readonly string[]; templates: string[] }>();
    for (const s of r.steps) {
      const key = JSON.stringify([...new Set(s.requirements)].sort());
      const g = groups.get(key) ?? { requirements: [...new Set(s.requirements)].sort(), templates: [] };
      g.templates.push(s.template);
      groups.set(key, g);
    }
    // A signal while pip works kills pip (its process group) and ends the run before it starts.
    const abort = new AbortController();
    let signal: NodeJS.Signals | undefined;
    const onSignal = (s: NodeJS.Signals): void => {
      signal ??= s;
      abort.abort();
    };
    for (const s of SIGNALS) process.on(s, onSignal);
    const diagnostics: Diagnostic[] = [];
    try {
      for (const g of groups.values()) {
        const list = g.requirements.join(', ');
        const outcome = await ensureVenv(py, g.requirements, root, abort.signal, () => r.say(`making a virtual environment for ${g.templates.join(', ')} (${list})…`));
        if ('interrupted' in outcome) return { interruptedBy: signal ?? 'SIGINT' };
        if ('failed' in outcome) {
          diagnostics.push(...notInstalled(r, g.requirements, outcome.failed, outcome.detail, outcome.offline, py));
          continue;
        }
        for (const t of g.templates) venvOf.set(t, outcome.dir);
        notes.push(`${g.templates.join(', ')}: ${outcome.created ? 'made' : 'reused'} the virtual environment ${outcome.dir} (${list}); your Python is left as it is`);
      }
    } finally {
      for (const s of SIGNALS) process.removeListener(s, onSignal);
    }
    if (diagnostics.length > 0) return { diagnostics, exitCode: 1 };
  }

  const templateEnv = (template: string, env: Readonly<Record<string, string>>): Record<string, string> => {
    const venv = venvOf.get(template);
    const path = env['PATH'] ?? '';
    if (venv !== undefined) return { PATH: `${venv}/bin${path ? `:${path}` : ''}`, VIRTUAL_ENV: venv };
    if (shims !== undefined) return { PATH: `${shims}${path ? `:${path}` : ''}` };
    return {};
  };
  return { plan: { templateEnv, notes } };
}

/** KFP0110 at each component's `packages` setting that asked for the set. */
function notInstalled(r: PythonRequest, requirements: readonly string[], failed: readonly string[], detail: string, offline: boolean, py: Interpreter): Diagnostic[] {
  const key = JSON.stringify(requirements);
  const components = (r.program?.components ?? []).filter((c) => c.impl.kind === 'python' && JSON.stringify([...new Set(c.impl.packages)].sort()) === key);
  const hint = [
    offline ? 'pip found no index to install from (this machine may be offline)' : `pip said: ${detail.split('\n').pop() ?? ''}`,
    `pass --skip-packages if ${failed.length === 1 ? 'it is' : 'they are'} installed in ${py.command} already`,
    'or point pip at wheels or a private index (PIP_FIND_LINKS=DIR with PIP_NO_INDEX=1, or PIP_INDEX_URL)',
  ].join('; ');
  const message = `could not install ${failed.map((f) => `\`${f}\``).join(', ')} into a virtual environment for kfpdsl run`;
  const out: Diagnostic[] = [];
  for (const c of components.length > 0 ? components : [undefined]) {
    const decl = c ? r.document?.components.find((d) => d.name.name === c.name) : undefined;
    const setting = decl?.settings.find((s) => s.name.name === 'packages');
    out.push(diag('PackagesNotInstalled', message, { file: r.file, ...(setting ? { span: setting.value.span, label: 'these packages' } : {}), hint }));
  }
  return out;
}
