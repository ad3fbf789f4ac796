/**
 * Resolves a component's command-line placeholders for one task, as kfp's
 * _resolve_command_line_and_paths does: values become Argo `{{inputs.parameters.X}}`
 * references, file inputs and outputs become fixed container paths.
 */
import type { Placeholder } from '../kfp/component-spec.js';
import { inputPath, outputPath } from './python-files.js';

export interface ResolveHooks {
  /** Whether the task gives this input an argument (or a default stands in for one). */
  isPresent(input: string): boolean;
  /** Registers a value input and returns the text that stands for it in the command line. */
  inputValue(input: string): string;
  /** Registers a file input. */
  inputPath(input: string, path: string): void;
  /** Registers a file output. */
  outputPath(output: string, path: string): void;
}

export function resolveCommandLine(items: readonly Placeholder[] | undefined, hooks: ResolveHooks): string[] {
  const out: string[] = [];
  for (const item of items ?? []) out.push(...resolveItem(item, hooks));
  return out;
}

function resolveItem(p: Placeholder, hooks: ResolveHooks): string[] {
  if (typeof p === 'string') return [p];
  if ('inputValue' in p) return hooks.isPresent(p.inputValue) ? [hooks.inputValue(p.inputValue)] : [];
  if ('inputPath' in p) {
    if (!hooks.isPresent(p.inputPath)) return [];
    const path = inputPath(p.inputPath);
    hooks.inputPath(p.inputPath, path);
    return [path];
  }
  if ('outputPath' in p) {
    const path = outputPath(p.outputPath);
    hooks.outputPath(p.outputPath, path);
    return [path];
  }
  if ('concat' in p) return [p.concat.flatMap((x) => resolveItem(x, hooks)).join('')];
  if ('isPresent' in p) return [hooks.isPresent(p.isPresent) ? 'True' : 'False'];
  const cond = p.if.cond;
  let truth: boolean;
  if (typeof cond === 'object' && cond !== null && 'isPresent' in cond) truth = hooks.isPresent(cond.isPresent);
  else truth = /^(y|yes|t|true|on|1)$/i.test(resolveItem(cond, hooks).join(''));
  const branch = truth ? p.if.then : p.if.else;
  if (branch === undefined) return [];
  return (Array.isArray(branch) ? branch : [branch]).flatMap((x) => resolveItem(x, hooks));
}
